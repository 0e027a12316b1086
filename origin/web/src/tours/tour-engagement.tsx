// Ratings and comments under a tour (#15), as under a destination: one rating per viewer, threads one
// level deep; the tour's creator (and admins) may delete any comment on it.
import { useState, type FormEvent } from 'react';
import type { RatingState } from '@spherecast/shared';
import { api, errorMessage, type RouterOutputs } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { navigate, useLocationHref } from '../router.tsx';
import { formatCount, timeAgo } from '../ui/format.ts';
import { useAsync } from '../ui/use-async.ts';

type Tour = RouterOutputs['tours']['get'];
type CommentItem = RouterOutputs['tours']['comments']['items'][number]['replies'][number];

function useRequireSignIn(): () => boolean {
  const { me } = useSession();
  const href = useLocationHref();
  return () => {
    if (me) return true;
    navigate(`/signin?next=${encodeURIComponent(href)}`);
    return false;
  };
}

export function TourRating({ tour }: { tour: Tour }) {
  const { me } = useSession();
  const loaded = useAsync(() => api.tours.rating.query({ id: tour.id }), [tour.id, me?.id]);
  const [changed, setChanged] = useState<RatingState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const requireSignIn = useRequireSignIn();
  const state = changed ?? loaded.data ?? { myRating: null, ratingCount: 0, ratingAverage: null };
  const rate = (score: number): void => {
    if (!requireSignIn()) return;
    setError(null);
    api.tours.rate.mutate({ id: tour.id, score }).then(setChanged, (e: unknown) => setError(errorMessage(e)));
  };
  return (
    <span className="rating" data-testid="tour-rating">
      <span className="stars" role="radiogroup" aria-label={`Your rating of ${tour.title}`}>
        {[1, 2, 3, 4, 5].map((n) => (
          <button
            key={n}
            type="button"
            role="radio"
            aria-checked={state.myRating === n}
            aria-label={`${n} star${n > 1 ? 's' : ''}`}
            className={n <= (state.myRating ?? 0) ? 'star star-on' : 'star'}
            onClick={() => rate(n)}
          >
            ★
          </button>
        ))}
      </span>
      <span className="muted" data-testid="tour-rating-summary">
        {state.ratingAverage !== null ? `${state.ratingAverage.toFixed(1)} · ` : ''}
        {formatCount(state.ratingCount, 'rating')}
      </span>
      {error ? <span className="form-error">{error}</span> : null}
    </span>
  );
}

function Comment({ comment, onDelete, canDelete }: { comment: CommentItem; onDelete: () => void; canDelete: boolean }) {
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

export function TourComments({ tour }: { tour: Tour }) {
  const { me } = useSession();
  const state = useAsync(() => api.tours.comments.query({ id: tour.id, limit: 20 }), [tour.id]);
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const requireSignIn = useRequireSignIn();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!requireSignIn()) return;
    setError(null);
    api.tours.addComment.mutate({ id: tour.id, body }).then(
      () => {
        setBody('');
        state.reload();
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  };
  const remove = (id: string): void => {
    api.tours.deleteComment.mutate({ id }).then(state.reload, (e: unknown) => setError(errorMessage(e)));
  };
  const canDelete = (authorId: string | undefined) => Boolean(me && (me.id === authorId || me.id === tour.owner.id || me.role === 'admin'));
  return (
    <section className="comments" aria-label="Comments" data-testid="tour-comments">
      <h2>Comments</h2>
      <form onSubmit={submit}>
        <label className="visually-hidden" htmlFor="tour-comment">
          Your comment on {tour.title}
        </label>
        <textarea id="tour-comment" value={body} onChange={(e) => setBody(e.target.value)} placeholder="What did you think of this tour?" rows={3} />
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
          <Comment comment={thread} canDelete={canDelete(thread.author?.id)} onDelete={() => remove(thread.id)} />
          {thread.replies.map((reply) => (
            <div key={reply.id} className="comment-reply">
              <Comment comment={reply} canDelete={canDelete(reply.author?.id)} onDelete={() => remove(reply.id)} />
            </div>
          ))}
        </div>
      ))}
    </section>
  );
}
