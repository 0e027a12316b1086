import { useEffect, useState } from 'react';
import { api, errorMessage, errorStatus, type RouterOutputs } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { CardGrid, ContentCard } from '../catalog/content-card.tsx';
import { Avatar } from '../layout.tsx';
import { Link, navigate } from '../router.tsx';
import { formatCount, timeAgo } from '../ui/format.ts';
import { EmptyState, ErrorState, Spinner } from '../ui/states.tsx';
import { useAsync } from '../ui/use-async.ts';
import { ToursShelf } from '../tours/tour-card.tsx';

type Item = RouterOutputs['content']['listByCreator']['items'][number];

export function ProfilePage({ username }: { username: string }) {
  const { me } = useSession();
  const profile = useAsync(() => api.profiles.get.query({ username }), [username, me?.id]);
  const [follow, setFollow] = useState<{ following: boolean; followerCount: number } | null>(null);
  const [followError, setFollowError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (profile.data) {
      setFollow({ following: profile.data.followedByMe, followerCount: profile.data.followerCount });
      document.title = `${profile.data.displayName} · Spherecast`;
    }
  }, [profile.data]);

  const userId = profile.data?.id;
  const content = useAsync(async () => (userId ? await api.content.listByCreator.query({ userId, limit: 24 }) : null), [userId]);
  const [more, setMore] = useState<Item[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  useEffect(() => {
    setMore([]);
    setCursor(content.data?.nextCursor ?? null);
  }, [content.data]);

  if (profile.status === 'error' && !profile.data) {
    return errorStatus(profile.error) === 404 ? (
      <EmptyState title="No such creator">
        Nobody is called “{username}” here. <Link to="/">Back home</Link>.
      </EmptyState>
    ) : (
      <ErrorState error={profile.error} onRetry={profile.reload} />
    );
  }
  if (!profile.data) return <Spinner />;
  const p = profile.data;
  const isMe = me?.id === p.id;

  const toggleFollow = (): void => {
    if (!me) {
      navigate(`/signin?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    if (!follow || busy) return;
    setBusy(true);
    setFollowError(null);
    (follow.following ? api.profiles.unfollow.mutate({ username }) : api.profiles.follow.mutate({ username }))
      .then(setFollow, (e: unknown) => setFollowError(errorMessage(e)))
      .finally(() => setBusy(false));
  };

  const items = [...(content.data?.items ?? []), ...more];
  return (
    <div className="profile">
      <header className="profile-header">
        <Avatar name={p.displayName} url={p.avatarUrl} size={88} />
        <div className="profile-info">
          <h1>{p.displayName}</h1>
          <p className="muted">
            @{p.username} · joined {timeAgo(p.createdAt)}
          </p>
          <p className="profile-counts">
            <strong data-testid="follower-count">{formatCount(follow?.followerCount ?? p.followerCount, 'follower')}</strong> ·{' '}
            {formatCount(p.followingCount, 'following', 'following')} · {formatCount(p.contentCount, 'upload')}
          </p>
          {p.bio ? <p className="profile-bio">{p.bio}</p> : null}
        </div>
        {!isMe ? (
          <div>
            <button type="button" className={follow?.following ? 'button button-ghost' : 'button'} onClick={toggleFollow} disabled={busy} data-testid="follow">
              {follow?.following ? 'Following' : 'Follow'}
            </button>
            {followError ? <p className="form-error">{followError}</p> : null}
          </div>
        ) : null}
      </header>
      <h2>Uploads</h2>
      {content.status === 'error' && !content.data ? <ErrorState error={content.error} onRetry={content.reload} /> : null}
      {content.status === 'loading' && !content.data ? <Spinner /> : null}
      {content.data && items.length === 0 ? (
        <EmptyState title={isMe ? 'You have not published anything yet' : 'No uploads yet'}>
          {isMe ? 'Publish from Spherecast Studio and it appears here.' : null}
        </EmptyState>
      ) : null}
      <CardGrid>
        {items.map((c, i) => (
          <ContentCard key={c.id} content={c} priority={i === 0} />
        ))}
      </CardGrid>
      {cursor && userId ? (
        <div className="center">
          <button
            type="button"
            className="button"
            onClick={() =>
              void api.content.listByCreator.query({ userId, cursor, limit: 24 }).then((page) => {
                setMore((m) => [...m, ...page.items]);
                setCursor(page.nextCursor);
              })
            }
          >
            Show more
          </button>
        </div>
      ) : null}
      {userId ? <ToursShelf title="Tours" ownerId={userId} /> : null}
    </div>
  );
}
