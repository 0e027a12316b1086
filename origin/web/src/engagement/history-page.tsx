import { useState } from 'react';
import { api, type RouterOutputs } from '../api/client.ts';
import { CardGrid, ContentCard } from '../catalog/content-card.tsx';
import { RequireSignIn } from '../auth/require-sign-in.tsx';
import { formatDuration } from '@spherecast/shared/format';
import { EmptyState, ErrorState, Spinner } from '../ui/states.tsx';
import { useAsync } from '../ui/use-async.ts';

export function HistoryPage() {
  return (
    <RequireSignIn>
      <History />
    </RequireSignIn>
  );
}

function History() {
  const first = useAsync(() => api.streaming.history.query({ limit: 24 }), []);
  const [more, setMore] = useState<RouterOutputs['streaming']['history'] | null>(null);
  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.nextCursor : (first.data?.nextCursor ?? null);
  return (
    <div>
      <h1>Watch history</h1>
      {first.status === 'error' && !first.data ? <ErrorState error={first.error} onRetry={first.reload} /> : null}
      {first.status === 'loading' && !first.data ? <Spinner /> : null}
      {first.data && items.length === 0 ? (
        <EmptyState title="Nothing watched yet">Videos you watch appear here, so you can pick up where you left off.</EmptyState>
      ) : null}
      <CardGrid>
        {items.map((h, i) => {
          const duration = h.content.durationSeconds;
          const progress = h.completed ? 1 : duration ? h.positionSeconds / duration : 0;
          return (
            <ContentCard
              key={h.sessionId}
              priority={i === 0}
              content={h.content}
              progress={progress}
              note={h.completed ? 'Watched' : `Stopped at ${formatDuration(h.positionSeconds)}`}
            />
          );
        })}
      </CardGrid>
      {cursor ? (
        <div className="center">
          <button
            type="button"
            className="button"
            onClick={() =>
              void api.streaming.history
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
