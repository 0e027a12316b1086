import { useState, type FormEvent } from 'react';
import { api, errorMessage, errorStatus, type RouterOutputs } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { ContentCard } from '../catalog/content-card.tsx';
import { SubjectComments, SubjectRating } from '../engagement/subject-engagement.tsx';
import { Link } from '../router.tsx';
import { PinIcon } from '../ui/icons.tsx';
import { ShareButton } from '../ui/share-button.tsx';
import { EmptyState, ErrorState, Spinner } from '../ui/states.tsx';
import { useAsync } from '../ui/use-async.ts';
import './destinations.css';

type DestinationDetail = RouterOutputs['destinations']['get'];

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
  const subject = { kind: 'destination', id: destination.id, name: destination.name };
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
        {/* The rating comes with the destination (`destinations.get`). */}
        <SubjectRating key={destination.id} subject={subject} endpoints={api.destinations} initial={destination} />
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
      <SubjectComments subject={subject} endpoints={api.destinations} placeholder={`What is ${destination.name} like?`} moderator={destination.editable} />
    </div>
  );
}
