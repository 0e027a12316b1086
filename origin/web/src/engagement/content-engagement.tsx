import { useState, type FormEvent } from 'react';
import { LIMITS } from '@spherecast/shared';
import { api, errorMessage, errorStatus, type RouterOutputs } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { Avatar } from '../layout.tsx';
import { Link } from '../router.tsx';
import { formatDuration } from '@spherecast/shared/format';
import { formatCount, timeAgo, PROJECTION_LABELS } from '../ui/format.ts';
import { ErrorState, Spinner } from '../ui/states.tsx';
import { HeartIcon, PinIcon } from '../ui/icons.tsx';
import { useAsync } from '../ui/use-async.ts';
import { RatingSummary, StarButtons, useRequireSignIn } from './subject-engagement.tsx';

type ContentDetail = RouterOutputs['content']['get'];
type Thread = RouterOutputs['engagement']['comments']['items'][number];
type Comment = RouterOutputs['engagement']['addComment'];

export function ContentHeader({ content, linkTitle = true }: { content: ContentDetail; linkTitle?: boolean }) {
  return (
    <header className="content-header">
      <h1>{linkTitle ? <Link to={`/content/${content.id}`}>{content.title}</Link> : content.title}</h1>
      <div className="content-byline">
        <Link to={`/u/${encodeURIComponent(content.owner.username)}`} className="byline-owner">
          <Avatar name={content.owner.displayName} url={content.owner.avatarUrl} size={36} />
          <span>{content.owner.displayName}</span>
        </Link>
        <span className="muted">
          {formatCount(content.viewCount, 'view')} · {timeAgo(content.publishedAt ?? content.createdAt)}
        </span>
      </div>
      <ul className="chips" aria-label="Details">
        <li>{PROJECTION_LABELS[content.projection]}</li>
        {content.kind === 'video' && content.durationSeconds ? <li>{formatDuration(content.durationSeconds)}</li> : null}
        {content.renditions.length > 0 ? <li>Up to {Math.max(...content.renditions.map((r) => r.height))}p</li> : null}
        {content.genre ? (
          <li>
            <Link to={`/search?genre=${encodeURIComponent(content.genre)}`}>{content.genre}</Link>
          </li>
        ) : null}
        {content.location ? (
          <li>
            <Link to={`/places?focus=${content.id}`}>
              <PinIcon /> {content.location.placeName}
            </Link>
          </li>
        ) : null}
        {content.tags.map((t) => (
          <li key={t}>
            <Link to={`/search?tags=${encodeURIComponent(t)}`}>#{t}</Link>
          </li>
        ))}
      </ul>
    </header>
  );
}

export function ContentEngagement({ content }: { content: ContentDetail }) {
  return (
    <div className="engagement">
      <div className="engagement-actions">
        <LikeButton contentId={content.id} liked={content.likedByMe} count={content.likeCount} />
        <RatingStars contentId={content.id} mine={content.myRating} average={content.ratingAverage} count={content.ratingCount} />
      </div>
      {content.description ? <p className="description">{content.description}</p> : null}
      <Comments contentId={content.id} count={content.commentCount} />
    </div>
  );
}

function LikeButton({ contentId, liked: initialLiked, count: initialCount }: { contentId: string; liked: boolean; count: number }) {
  const [state, setState] = useState({ liked: initialLiked, likeCount: initialCount });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const requireSignIn = useRequireSignIn();
  const toggle = (): void => {
    if (!requireSignIn() || busy) return;
    setBusy(true);
    setError(null);
    // Optimistic: the heart flips at once, and flips back if the origin refuses.
    const before = state;
    setState({ liked: !before.liked, likeCount: before.likeCount + (before.liked ? -1 : 1) });
    (before.liked ? api.engagement.unlike.mutate({ id: contentId }) : api.engagement.like.mutate({ id: contentId }))
      .then(
        (next) => setState(next),
        (e: unknown) => {
          setState(before);
          setError(errorMessage(e));
        },
      )
      .finally(() => setBusy(false));
  };
  return (
    <span className="like">
      <button
        type="button"
        className={state.liked ? 'button button-liked' : 'button button-ghost'}
        aria-pressed={state.liked}
        onClick={toggle}
        data-testid="like"
      >
        <HeartIcon filled={state.liked} /> {formatCount(state.likeCount, 'like')}
      </button>
      {error ? <span className="form-error">{error}</span> : null}
    </span>
  );
}

function RatingStars({ contentId, mine, average, count }: { contentId: string; mine: number | null; average: number | null; count: number }) {
  const [state, setState] = useState({ myRating: mine, ratingAverage: average, ratingCount: count });
  const [hover, setHover] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const requireSignIn = useRequireSignIn();
  const rate = (score: number): void => {
    if (!requireSignIn()) return;
    setError(null);
    api.engagement.rate.mutate({ id: contentId, score }).then(setState, (e: unknown) => setError(errorMessage(e)));
  };
  const shown = hover ?? state.myRating ?? 0;
  return (
    <span className="rating">
      <StarButtons label="Your rating" mine={state.myRating} shown={shown} onRate={rate} onHover={setHover} />
      <RatingSummary state={state} />
      {error ? <span className="form-error">{error}</span> : null}
    </span>
  );
}

function Comments({ contentId, count }: { contentId: string; count: number }) {
  const { me } = useSession();
  const first = useAsync(() => api.engagement.comments.query({ id: contentId, limit: 20 }), [contentId, me?.id]);
  const [extra, setExtra] = useState<{ threads: Thread[]; cursor: string | null | undefined }>({ threads: [], cursor: undefined });
  const [added, setAdded] = useState<Thread[]>([]);
  const [replies, setReplies] = useState<Record<string, Comment[]>>({});
  const [expanded, setExpanded] = useState<Record<string, Comment[]>>({});
  const expand = (threadId: string): void => {
    api.engagement.replies.query({ id: threadId, limit: 100 }).then(
      (page) => setExpanded((x) => ({ ...x, [threadId]: page.items })),
      (e: unknown) => alert(errorMessage(e)),
    );
  };
  const [removed, setRemoved] = useState<Set<string>>(new Set());
  const [moreError, setMoreError] = useState<string | null>(null);

  const cursor = extra.cursor === undefined ? first.data?.nextCursor : extra.cursor;
  const threads = [...added, ...(first.data?.items ?? []), ...extra.threads];
  const loadMore = (): void => {
    if (!cursor) return;
    setMoreError(null);
    api.engagement.comments.query({ id: contentId, cursor, limit: 20 }).then(
      (page) => setExtra((x) => ({ threads: [...x.threads, ...page.items], cursor: page.nextCursor })),
      (e: unknown) => setMoreError(`Could not load more comments. ${errorMessage(e)}`),
    );
  };

  const onPosted = (comment: Comment): void => {
    if (comment.parentId) setReplies((r) => ({ ...r, [comment.parentId as string]: [...(r[comment.parentId as string] ?? []), comment] }));
    else setAdded((a) => [{ ...comment, replyCount: 0, replies: [] }, ...a]);
  };
  const onDelete = (id: string): void => {
    api.engagement.deleteComment.mutate({ id }).then(
      () => setRemoved((s) => new Set(s).add(id)),
      (e: unknown) => alert(errorMessage(e)),
    );
  };

  return (
    <section className="comments" aria-label="Comments">
      <h2>{formatCount(count + added.length, 'comment')}</h2>
      <CommentForm contentId={contentId} onPosted={onPosted} />
      {first.status === 'loading' && !first.data ? <Spinner label="Loading comments…" /> : null}
      {first.status === 'error' && !first.data ? (
        errorStatus(first.error) === 404 ? null : (
          <ErrorState error={first.error} onRetry={first.reload} title="Could not load comments" />
        )
      ) : null}
      {first.data && threads.length === 0 ? <p className="muted">No comments yet. Be the first to say something.</p> : null}
      <ol className="thread-list">
        {threads.map((thread) => (
          <li key={thread.id}>
            <CommentView comment={thread} removed={removed.has(thread.id)} onDelete={onDelete} />
            <ol className="replies">
              {[...(expanded[thread.id] ?? thread.replies), ...(replies[thread.id] ?? [])].map((reply) => (
                <li key={reply.id}>
                  <CommentView comment={reply} removed={removed.has(reply.id)} onDelete={onDelete} />
                </li>
              ))}
            </ol>
            {!expanded[thread.id] && thread.replyCount > thread.replies.length ? (
              <button type="button" className="link-button replies-more" onClick={() => expand(thread.id)}>
                Show {thread.replyCount - thread.replies.length} more replies
              </button>
            ) : null}
            {!thread.deleted && !removed.has(thread.id) ? <ReplyToggle contentId={contentId} parentId={thread.id} onPosted={onPosted} /> : null}
          </li>
        ))}
      </ol>
      {moreError ? (
        <p className="form-error" role="alert">
          {moreError}
        </p>
      ) : null}
      {cursor ? (
        <button type="button" className="button button-ghost" onClick={loadMore}>
          More comments
        </button>
      ) : null}
      {me === null ? (
        <p className="muted">
          <Link to={`/signin?next=${encodeURIComponent(location.pathname)}`}>Sign in</Link> to comment.
        </p>
      ) : null}
    </section>
  );
}

function CommentView({ comment, removed, onDelete }: { comment: Comment; removed: boolean; onDelete: (id: string) => void }) {
  const { me } = useSession();
  if (comment.deleted || removed || !comment.author) {
    return <div className="comment comment-deleted muted">Comment deleted</div>;
  }
  return (
    <div className="comment">
      <Avatar name={comment.author.displayName} url={comment.author.avatarUrl} size={32} />
      <div>
        <p className="comment-meta">
          <Link to={`/u/${encodeURIComponent(comment.author.username)}`}>{comment.author.displayName}</Link>{' '}
          <span className="muted">
            {timeAgo(comment.createdAt)}
            {comment.editedAt ? ' (edited)' : ''}
          </span>
        </p>
        <p className="comment-body">{comment.body}</p>
        {me && me.id === comment.author.id ? (
          <button type="button" className="link-button" onClick={() => onDelete(comment.id)}>
            Delete
          </button>
        ) : null}
      </div>
    </div>
  );
}

function ReplyToggle({ contentId, parentId, onPosted }: { contentId: string; parentId: string; onPosted: (c: Comment) => void }) {
  const [open, setOpen] = useState(false);
  const { me } = useSession();
  if (!me) return null;
  return open ? (
    <CommentForm
      contentId={contentId}
      parentId={parentId}
      autoFocus
      onPosted={(c) => {
        onPosted(c);
        setOpen(false);
      }}
      onCancel={() => setOpen(false)}
    />
  ) : (
    <button type="button" className="link-button" onClick={() => setOpen(true)}>
      Reply
    </button>
  );
}

function CommentForm({
  contentId,
  parentId,
  onPosted,
  onCancel,
  autoFocus,
}: {
  contentId: string;
  parentId?: string;
  onPosted: (c: Comment) => void;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const { me } = useSession();
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!me) return null;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const text = body.trim();
    if (!text) return;
    setBusy(true);
    setError(null);
    api.engagement.addComment
      .mutate({ id: contentId, body: text, ...(parentId ? { parentId } : {}) })
      .then(
        (comment) => {
          setBody('');
          onPosted(comment);
        },
        (e: unknown) => setError(errorMessage(e)),
      )
      .finally(() => setBusy(false));
  };
  return (
    <form className="comment-form" onSubmit={submit}>
      <textarea
        value={body}
        onChange={(e) => setBody(e.target.value)}
        maxLength={LIMITS.commentMax}
        rows={parentId ? 2 : 3}
        placeholder={parentId ? 'Write a reply' : 'Add a comment'}
        aria-label={parentId ? 'Reply' : 'Comment'}
        autoFocus={autoFocus}
      />
      {error ? <p className="form-error">{error}</p> : null}
      <div className="form-actions">
        {onCancel ? (
          <button type="button" className="button button-ghost" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        <button type="submit" className="button" disabled={busy || !body.trim()}>
          {busy ? 'Posting…' : parentId ? 'Reply' : 'Comment'}
        </button>
      </div>
    </form>
  );
}
