// The rating and the comments under a rated and commented subject (a destination, a tour): one rating
// per viewer, threads one level deep; the subject's moderators (its creator, admins) may delete any
// comment on it. Each page passes its subject's API calls.
import { useState, type FormEvent } from 'react';
import type { RatingState } from '@spherecast/shared';
import { errorMessage } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { navigate, useLocationHref } from '../router.tsx';
import { formatCount, timeAgo } from '../ui/format.ts';
import { useAsync } from '../ui/use-async.ts';

/** Sends a signed-out viewer to sign in and back here; true when signed in. */
export function useRequireSignIn(): () => boolean {
  const { me } = useSession();
  const href = useLocationHref();
  return () => {
    if (me) return true;
    navigate(`/signin?next=${encodeURIComponent(href)}`);
    return false;
  };
}

/** A subject nobody has rated yet (shown while its rating loads). */
export const NO_RATINGS: RatingState = { myRating: null, ratingCount: 0, ratingAverage: null };

/** The five star buttons: `shown` stars lit (the viewer's rating, or the one under the pointer). */
export function StarButtons({
  label,
  mine,
  shown,
  onRate,
  onHover,
}: {
  label: string;
  mine: number | null;
  shown: number;
  onRate: (score: number) => void;
  onHover?: (score: number | null) => void;
}) {
  return (
    <span className="stars" role="radiogroup" aria-label={label} onMouseLeave={onHover ? () => onHover(null) : undefined}>
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          key={n}
          type="button"
          role="radio"
          aria-checked={mine === n}
          aria-label={`${n} star${n > 1 ? 's' : ''}`}
          className={n <= shown ? 'star star-on' : 'star'}
          onMouseEnter={onHover ? () => onHover(n) : undefined}
          onClick={() => onRate(n)}
        >
          ★
        </button>
      ))}
    </span>
  );
}

/** The average and the count of a rating (`4.5 · 2 ratings`). */
export function RatingSummary({ state, testId }: { state: RatingState; testId?: string }) {
  return (
    <span className="muted" data-testid={testId}>
      {state.ratingAverage !== null ? `${state.ratingAverage.toFixed(1)} · ` : ''}
      {formatCount(state.ratingCount, 'rating')}
    </span>
  );
}

/** Which subject, as pages name it: `kind` prefixes test ids and element ids (`tour-rating`, `tour-comment`). */
interface Subject {
  kind: string;
  id: string;
  name: string;
}

/** The subject's rating procedures (`api.tours`, `api.destinations`). */
interface RatingEndpoints {
  rate: { mutate(input: { id: string; score: number }): Promise<RatingState> };
}

/** Five stars to rate `subject` with, and its average and count. */
export function SubjectRating({ subject, endpoints, initial }: { subject: Subject; endpoints: RatingEndpoints; initial: RatingState }) {
  const [changed, setChanged] = useState<RatingState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const requireSignIn = useRequireSignIn();
  const state = changed ?? initial;
  const rate = (score: number): void => {
    if (!requireSignIn()) return;
    setError(null);
    endpoints.rate.mutate({ id: subject.id, score }).then(setChanged, (e: unknown) => setError(errorMessage(e)));
  };
  return (
    <span className="rating" data-testid={`${subject.kind}-rating`}>
      <StarButtons label={`Your rating of ${subject.name}`} mine={state.myRating} shown={state.myRating ?? 0} onRate={rate} />
      <RatingSummary state={state} testId={`${subject.kind}-rating-summary`} />
      {error ? <span className="form-error">{error}</span> : null}
    </span>
  );
}

interface SubjectComment {
  id: string;
  author: { id: string; displayName: string } | null;
  body: string | null;
  deleted: boolean;
  createdAt: string;
}
interface SubjectThread extends SubjectComment {
  replies: SubjectComment[];
}

function Comment({ comment, onDelete, canDelete }: { comment: SubjectComment; onDelete: () => void; canDelete: boolean }) {
  return (
    <div className="comment">
      <p className="muted">
        {comment.author ? comment.author.displayName : 'Deleted'} · {timeAgo(comment.createdAt)}
      </p>
      <p>{comment.deleted ? <em className="muted">This comment was deleted.</em> : comment.body}</p>
      {canDelete && !comment.deleted ? (
        <button type="button" className="link-button" onClick={onDelete}>
          Delete
        </button>
      ) : null}
    </div>
  );
}

/** The subject's comment procedures (`api.tours`, `api.destinations`). */
interface CommentEndpoints {
  comments: { query(input: { id: string; limit: number }): Promise<{ items: SubjectThread[] }> };
  addComment: { mutate(input: { id: string; body: string }): Promise<unknown> };
  deleteComment: { mutate(input: { id: string }): Promise<unknown> };
}

/** The comment form and the first page of threads; `moderator`: the viewer may delete others' comments. */
export function SubjectComments({
  subject,
  endpoints,
  placeholder,
  moderator,
}: {
  subject: Subject;
  endpoints: CommentEndpoints;
  placeholder: string;
  moderator: boolean;
}) {
  const { me } = useSession();
  const state = useAsync(() => endpoints.comments.query({ id: subject.id, limit: 20 }), [subject.id]);
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const requireSignIn = useRequireSignIn();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!requireSignIn()) return;
    setError(null);
    endpoints.addComment.mutate({ id: subject.id, body }).then(
      () => {
        setBody('');
        state.reload();
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  };
  const onDelete = (id: string): void => {
    endpoints.deleteComment.mutate({ id }).then(state.reload, (e: unknown) => setError(errorMessage(e)));
  };
  const canDelete = (authorId: string | undefined) => Boolean(me && (me.id === authorId || moderator));
  return (
    <section className="comments" aria-label="Comments" data-testid={`${subject.kind}-comments`}>
      <h2>Comments</h2>
      <form onSubmit={submit}>
        <label className="visually-hidden" htmlFor={`${subject.kind}-comment`}>
          Your comment on {subject.name}
        </label>
        <textarea id={`${subject.kind}-comment`} value={body} onChange={(e) => setBody(e.target.value)} placeholder={placeholder} rows={3} />
        {error ? <p className="form-error">{error}</p> : null}
        <div className="form-actions">
          <button type="submit" className="button" disabled={!body.trim()}>
            Comment
          </button>
        </div>
      </form>
      {state.data?.items.length === 0 ? <p className="muted">No comments yet.</p> : null}
      {state.data?.items.map((thread) => (
        <div key={thread.id} className="comment-thread">
          <Comment comment={thread} canDelete={canDelete(thread.author?.id)} onDelete={() => onDelete(thread.id)} />
          {thread.replies.map((reply) => (
            <div key={reply.id} className="comment-reply">
              <Comment comment={reply} canDelete={canDelete(reply.author?.id)} onDelete={() => onDelete(reply.id)} />
            </div>
          ))}
        </div>
      ))}
    </section>
  );
}
