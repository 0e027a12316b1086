import { useState } from 'react';
import { api, type RouterOutputs } from '../api/client.ts';
import { RequireSignIn } from '../auth/require-sign-in.tsx';
import { CardGrid, ContentCard } from '../catalog/content-card.tsx';
import { EmptyState, ErrorState, Spinner } from '../ui/states.tsx';
import { useAsync } from '../ui/use-async.ts';

export function LikesPage() {
  return (
    <RequireSignIn>
      <Likes />
    </RequireSignIn>
  );
}

function Likes() {
  const first = useAsync(() => api.engagement.myLikes.query({ limit: 24 }), []);
  const [more, setMore] = useState<RouterOutputs['engagement']['myLikes'] | null>(null);
  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.nextCursor : (first.data?.nextCursor ?? null);
  return (
    <div>
      <h1>Liked</h1>
      {first.status === 'error' && !first.data ? <ErrorState error={first.error} onRetry={first.reload} /> : null}
      {first.status === 'loading' && !first.data ? <Spinner /> : null}
      {first.data && items.length === 0 ? <EmptyState title="No likes yet">Like a video (the heart under it) to keep it here.</EmptyState> : null}
      <CardGrid>
        {items.map((c, i) => (
          <ContentCard key={c.id} content={c} priority={i === 0} />
        ))}
      </CardGrid>
      {cursor ? (
        <div className="center">
          <button
            type="button"
            className="button"
            onClick={() =>
              void api.engagement.myLikes
                .query({ cursor, limit: 24 })
                .then((page) => setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], nextCursor: page.nextCursor })))
            }
          >
            Show more
          </button>
        </div>
      ) : null}
    </div>
  );
}
