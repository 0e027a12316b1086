import { useState, type FormEvent } from 'react';
import type { RatingState } from '@spherecast/shared';
import { api, errorMessage, errorStatus, type RouterOutputs } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { ContentCard } from '../catalog/content-card.tsx';
import { Link, navigate, useLocationHref } from '../router.tsx';
import { formatCount, timeAgo } from '../ui/format.ts';
import { PinIcon } from '../ui/icons.tsx';
import { ShareButton } from '../ui/share-button.tsx';
import { EmptyState, ErrorState, Spinner } from '../ui/states.tsx';
import { useAsync } from '../ui/use-async.ts';
import './destinations.css';

type DestinationDetail = RouterOutputs['destinations']['get'];
type CommentItem = RouterOutputs['destinations']['comments']['items'][number]['replies'][number];

function useRequireSignIn(): () => boolean {
  const { me } = useSession();
  const href = useLocationHref();
  return () => {
    if (me) return true;
    navigate(`/signin?next=${encodeURIComponent(href)}`);
    return false;
  };
}

function DestinationRating({ destination }: { destination: DestinationDetail }) {
  const [state, setState] = useState<RatingState>({
    myRating: destination.myRating,
    ratingAverage: destination.ratingAverage,
    ratingCount: destination.ratingCount,
  });
  const [error, setError] = useState<string | null>(null);
  const requireSignIn = useRequireSignIn();
  const rate = (score: number): void => {
    if (!requireSignIn()) return;
    setError(null);
    api.destinations.rate.mutate({ id: destination.id, score }).then(setState, (e: unknown) => setError(errorMessage(e)));
  };
  return (
    <span className="rating">
      <span className="stars" role="radiogroup" aria-label={`Your rating of ${destination.name}`}>
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
      <span className="muted">
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

function DestinationComments({ destination }: { destination: DestinationDetail }) {
  const { me } = useSession();
  const state = useAsync(() => api.destinations.comments.query({ id: destination.id, limit: 20 }), [destination.id]);
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const requireSignIn = useRequireSignIn();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!requireSignIn()) return;
    setError(null);
    api.destinations.addComment.mutate({ id: destination.id, body }).then(
      () => {
        setBody('');
        state.reload();
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  };
  const remove = (id: string): void => {
    api.destinations.deleteComment.mutate({ id }).then(state.reload, (e: unknown) => setError(errorMessage(e)));
  };
  const canDelete = (authorId: string | undefined) => Boolean(me && (me.id === authorId || destination.editable));
  return (
    <section className="comments" aria-label="Comments">
      <h2>Comments</h2>
      <form onSubmit={submit}>
        <label className="visually-hidden" htmlFor="destination-comment">
          Your comment on {destination.name}
        </label>
        <textarea id="destination-comment" value={body} onChange={(e) => setBody(e.target.value)} placeholder={`What is ${destination.name} like?`} rows={3} />
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

/** For creators: place one of their published videos at this destination (by its watch link or id). */
function LinkContentForm({ destination, onLinked }: { destination: DestinationDetail; onLinked: () => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const id = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(value)?.[0];
    if (!id) {
      setError('Paste the link of one of your videos (…/watch/<id>) or its id.');
      return;
    }
    setError(null);
    api.destinations.link.mutate({ id: destination.id, contentId: id }).then(
      () => {
        setValue('');
        onLinked();
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  };
  return (
    <form className="destination-form" onSubmit={submit} aria-label="Add your video to this destination">
      <label>
        <span>Add one of your videos here (its link)</span>
        <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="https://…/watch/…" />
      </label>
      <button type="submit" className="button">
        Add
      </button>
      {error ? <p className="form-error">{error}</p> : null}
    </form>
  );
}

/** For the destination's creator (or an admin): description, tags, radius and the cover, a poster of the content listed here. */
function EditDestinationForm({ destination, onSaved }: { destination: DestinationDetail; onSaved: () => void }) {
  const [draft, setDraft] = useState({
    description: destination.description,
    tags: destination.tags.join(', '),
    radiusKm: String(destination.radiusKm),
    coverContentId: destination.coverContentId ?? '',
  });
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const covers = destination.content.filter((item) => item.posterUrl !== null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    api.destinations.update
      .mutate({
        id: destination.id,
        description: draft.description,
        tags: draft.tags
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean),
        radiusKm: Number(draft.radiusKm),
        coverContentId: draft.coverContentId || null,
      })
      .then(
        () => {
          setMessage({ error: false, text: 'Saved' });
          onSaved();
        },
        (e: unknown) => setMessage({ error: true, text: errorMessage(e) }),
      );
  };
  return (
    <details>
      <summary>Edit this destination</summary>
      <form className="destination-form" onSubmit={submit} aria-label="Edit destination">
        <label>
          <span>Description</span>
          <textarea value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} rows={3} />
        </label>
        <label>
          <span>Tags (comma separated)</span>
          <input value={draft.tags} onChange={(e) => setDraft({ ...draft, tags: e.target.value })} />
        </label>
        <label>
          <span>Suggest videos within (km)</span>
          <input inputMode="decimal" value={draft.radiusKm} onChange={(e) => setDraft({ ...draft, radiusKm: e.target.value })} />
        </label>
        <label>
          <span>Cover (a poster of a video listed here)</span>
          <select value={draft.coverContentId} onChange={(e) => setDraft({ ...draft, coverContentId: e.target.value })}>
            <option value="">No cover</option>
            {covers.map((item) => (
              <option key={item.id} value={item.id}>
                {item.title}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button">
          Save
        </button>
        <span role="status" className={message?.error ? 'form-error' : 'muted'}>
          {message?.text ?? ''}
        </span>
      </form>
    </details>
  );
}

export function DestinationPage({ id }: { id: string }) {
  const { me } = useSession();
  const state = useAsync(() => api.destinations.get.query({ id }), [id, me?.id]);
  const destination = state.data;
  if (state.status === 'error' && !destination) {
    return errorStatus(state.error) === 404 ? (
      <EmptyState title="This destination does not exist">
        <Link to="/destinations">See all destinations</Link>.
      </EmptyState>
    ) : (
      <ErrorState error={state.error} onRetry={state.reload} />
    );
  }
  if (!destination) return <Spinner />;
  const live = destination.content.filter((item) => item.status === 'live');
  const linked = destination.content.filter((item) => item.status !== 'live' && item.linked);
  const nearby = destination.content.filter((item) => item.status !== 'live' && !item.linked);
  const section = (title: string, items: typeof destination.content, note: (item: (typeof items)[number]) => string | undefined) =>
    items.length > 0 ? (
      <section className="shelf" aria-label={title}>
        <header className="shelf-header">
          <h2>{title}</h2>
        </header>
        <div className="grid">
          {items.map((item) => {
            const text = note(item);
            return <ContentCard key={item.id} content={item} {...(text ? { note: text } : {})} />;
          })}
        </div>
      </section>
    ) : null;
  return (
    <div className="destination">
      {destination.coverUrl ? (
        <div className="destination-hero">
          <img src={destination.coverUrl} alt="" width={1280} height={427} />
        </div>
      ) : null}
      <h1>{destination.name}</h1>
      <p className="muted">
        <PinIcon /> {destination.country} · {destination.latitude.toFixed(3)}, {destination.longitude.toFixed(3)}
      </p>
      <div className="destination-actions">
        <DestinationRating key={destination.id} destination={destination} />
        <ShareButton path={`/destinations/${destination.id}`} title={`${destination.name}, ${destination.country}`} />
      </div>
      {destination.tags.length > 0 ? (
        <ul className="chips" aria-label="Tags">
          {destination.tags.map((tag) => (
            <li key={tag}>#{tag}</li>
          ))}
        </ul>
      ) : null}
      {destination.description ? <p className="description">{destination.description}</p> : null}
      {destination.tours.length > 0 ? (
        <section className="shelf" aria-label="Guided tours">
          <header className="shelf-header">
            <h2>Tours</h2>
          </header>
          <ul className="destination-tours">
            {destination.tours.map((tour) => (
              <li key={tour.id}>
                <Link to={`/tours/${tour.id}`}>{tour.title}</Link> <span className="muted">{tour.mode === 'guided' ? 'Guided tour' : 'Free tour'}</span>
                {tour.description ? <p className="muted">{tour.description}</p> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {section('Live now', live, () => undefined)}
      {section('Picked by creators', linked, () => undefined)}
      {section(`Within ${destination.radiusKm} km`, nearby, (item) => (item.distanceKm !== null ? `${item.distanceKm} km away` : undefined))}
      {destination.content.length === 0 ? <EmptyState title="Nothing filmed here yet">Creators can add their videos of {destination.name}.</EmptyState> : null}
      {me && me.role !== 'viewer' ? <LinkContentForm destination={destination} onLinked={state.reload} /> : null}
      {destination.editable ? <EditDestinationForm key={destination.id} destination={destination} onSaved={state.reload} /> : null}
      <DestinationComments destination={destination} />
    </div>
  );
}
