import { useEffect, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { navigate } from '../router.tsx';
import { EmptyState, ErrorState, Spinner } from '../ui/states.tsx';
import { useAsync } from '../ui/use-async.ts';
import { DestinationCard } from './destination-card.tsx';
import './destinations.css';

/** The short list of interests a viewer states on their profile; they steer the picks above. */
function InterestsForm({ onSaved }: { onSaved: () => void }) {
  const state = useAsync(() => api.destinations.interests.query(), []);
  const [value, setValue] = useState('');
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  useEffect(() => {
    if (state.data) setValue(state.data.interests.join(', '));
  }, [state.data]);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const interests = value
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
    api.destinations.setInterests.mutate({ interests }).then(
      (saved) => {
        setValue(saved.interests.join(', '));
        setMessage({ error: false, text: 'Interests saved' });
        onSaved();
      },
      (e: unknown) => setMessage({ error: true, text: errorMessage(e) }),
    );
  };
  return (
    <form className="destination-form" onSubmit={submit} aria-label="Your interests">
      <label>
        <span>Your interests (up to 10, comma separated)</span>
        <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="rooftops, surfing, old towns" />
      </label>
      <button type="submit" className="button">
        Save interests
      </button>
      <span role="status" className={message?.error ? 'form-error' : 'muted'}>
        {message?.text ?? ''}
      </span>
    </form>
  );
}

/** For creators: a new destination (name, country, coordinates, description, tags). */
function CreateDestinationForm() {
  const [draft, setDraft] = useState({ name: '', country: '', latitude: '', longitude: '', description: '', tags: '' });
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setError(null);
    api.destinations.create
      .mutate({
        name: draft.name,
        country: draft.country,
        latitude: Number(draft.latitude),
        longitude: Number(draft.longitude),
        description: draft.description,
        tags: draft.tags
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean),
      })
      .then(
        (created) => navigate(`/destinations/${created.id}`),
        (e: unknown) => setError(errorMessage(e)),
      );
  };
  const field = (name: keyof typeof draft, label: string, extra: { inputMode?: 'decimal'; placeholder?: string } = {}) => (
    <label>
      <span>{label}</span>
      <input value={draft[name]} onChange={(e) => setDraft({ ...draft, [name]: e.target.value })} {...extra} />
    </label>
  );
  return (
    <details>
      <summary>Add a destination</summary>
      <form className="destination-form" onSubmit={submit} aria-label="New destination">
        {field('name', 'Name')}
        {field('country', 'Country')}
        {field('latitude', 'Latitude', { inputMode: 'decimal', placeholder: '38.72' })}
        {field('longitude', 'Longitude', { inputMode: 'decimal', placeholder: '-9.14' })}
        {field('tags', 'Tags', { placeholder: 'rooftops, ocean' })}
        {field('description', 'Description')}
        <button type="submit" className="button">
          Create
        </button>
        {error ? <p className="form-error">{error}</p> : null}
      </form>
    </details>
  );
}

export function DestinationsPage() {
  const { me } = useSession();
  const picks = useAsync(() => api.destinations.recommended.query({ limit: 12 }), [me?.id]);
  return (
    <div className="destinations">
      <h1>Destinations</h1>
      {me ? <InterestsForm onSaved={picks.reload} /> : null}
      {me && me.role !== 'viewer' ? <CreateDestinationForm /> : null}
      <section className="shelf" aria-label={picks.data?.basis === 'personal' ? 'Places like the ones you watched' : 'Popular destinations'}>
        <header className="shelf-header">
          <h2>{picks.data?.basis === 'personal' ? 'Places like the ones you watched' : 'Popular destinations'}</h2>
        </header>
        {picks.status === 'error' && !picks.data ? <ErrorState error={picks.error} onRetry={picks.reload} /> : null}
        {!picks.data && picks.status === 'loading' ? <Spinner /> : null}
        {picks.data?.items.length === 0 ? <EmptyState title="No destinations yet">Creators add destinations with the videos filmed there.</EmptyState> : null}
        <div className="grid">
          {picks.data?.items.map((item) => (
            <DestinationCard key={item.id} destination={item} note={item.reason} />
          ))}
        </div>
      </section>
    </div>
  );
}
