import { useState } from 'react';
import type { FormEvent } from 'react';
import { useAction, useAsync, useStudio } from '../state/studio-context.tsx';
import { ErrorNote, Spinner } from '../ui/feedback.tsx';
import { CaptionsField, type ChosenCaption } from './captions-field.tsx';

const GENRE_SUGGESTIONS = ['travel', 'nature', 'sports', 'music', 'documentary', 'real estate', 'education', 'events'] as const;

/** Sign-in to an origin (the token stays in the engine) and the publish form. */
export function PublishPanel({ projectId, defaultTitle }: { projectId: string; defaultTitle: string }) {
  const { client, jobs } = useStudio();
  const session = useAsync(() => client.origin.session.query(), 'session');
  const signOut = useAction(async () => {
    await client.origin.signOut.mutate();
    session.reload();
  });

  const ladders = [...jobs.values()]
    .filter((job) => job.projectId === projectId && (job.kind === 'transcode' || job.kind === 'photo') && job.state === 'done')
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  return (
    <section className="panel" aria-label="Publish">
      <header className="panel-header">
        <h3>Publish</h3>
      </header>
      {session.loading && !session.data ? <Spinner label="Checking sign-in…" /> : null}
      {session.error ? <ErrorNote message={session.error} onRetry={session.reload} /> : null}
      {session.data === null ? <OriginSignIn onSignedIn={session.reload} /> : null}
      {session.data ? (
        <>
          <div className="signed-in small" data-testid="signed-in">
            Signed in as <strong>{session.data.username}</strong> at <code>{session.data.originUrl}</code>{' '}
            <button type="button" className="link-button" onClick={() => void signOut.run()}>
              Sign out
            </button>
          </div>
          {ladders.length === 0 ? (
            <p className="note">Transcode this project first: publishing uploads a finished ladder.</p>
          ) : (
            <PublishForm
              projectId={projectId}
              defaultTitle={defaultTitle}
              ladders={ladders.map((job) => ({ id: job.id, label: `${job.label} · ${new Date(job.createdAt).toLocaleString()}` }))}
            />
          )}
        </>
      ) : null}
    </section>
  );
}

/** Sign-in to an origin: the engine keeps the session token, the page never sees it. */
export function OriginSignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { client } = useStudio();
  const [originUrl, setOriginUrl] = useState('http://127.0.0.1:3000');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useAction(async (event: FormEvent) => {
    event.preventDefault();
    await client.origin.signIn.mutate({ originUrl, login, password });
    setPassword('');
    onSignedIn();
  });
  return (
    <form className="form" onSubmit={(event) => void signIn.run(event)} aria-label="Sign in to an origin">
      <p className="small muted">Sign in to the Spherecast origin you publish to. The studio keeps the session token, never your password.</p>
      <label>
        Origin URL
        <input name="originUrl" type="url" required value={originUrl} onChange={(event) => setOriginUrl(event.target.value)} />
      </label>
      <label>
        Username or email
        <input name="login" type="text" required autoComplete="username" value={login} onChange={(event) => setLogin(event.target.value)} />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          required
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </label>
      {signIn.error ? <ErrorNote title="Sign-in failed." message={signIn.error} /> : null}
      <button type="submit" className="button primary" disabled={signIn.busy}>
        {signIn.busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

function PublishForm({ projectId, defaultTitle, ladders }: { projectId: string; defaultTitle: string; ladders: { id: string; label: string }[] }) {
  const { client } = useStudio();
  const [jobId, setJobId] = useState(ladders[0]?.id ?? '');
  const [title, setTitle] = useState(defaultTitle);
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const [genre, setGenre] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'unlisted' | 'private'>('public');
  const [placeName, setPlaceName] = useState('');
  const [latitude, setLatitude] = useState('');
  const [longitude, setLongitude] = useState('');
  const [started, setStarted] = useState(false);
  const [captions, setCaptions] = useState<ChosenCaption[]>([]);

  const publish = useAction(async (event: FormEvent) => {
    event.preventDefault();
    const hasLocation = placeName.trim() !== '' || latitude.trim() !== '' || longitude.trim() !== '';
    if (hasLocation && (placeName.trim() === '' || latitude.trim() === '' || longitude.trim() === '')) {
      throw new Error('A location needs a place name, a latitude and a longitude, or leave all three empty.');
    }
    await client.publish.start.mutate({
      projectId,
      jobId: jobId || (ladders[0]?.id ?? ''),
      metadata: {
        title,
        description: description.trim() || undefined,
        tags: tags
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean),
        genre: genre.trim() || undefined,
        visibility,
        location: hasLocation ? { placeName: placeName.trim(), latitude: Number(latitude), longitude: Number(longitude) } : undefined,
        captions: captions.map(({ lang, label, vtt }) => ({ lang, label, vtt })),
      },
    });
    setStarted(true);
  });

  return (
    <form className="form" onSubmit={(event) => void publish.run(event)} aria-label="Publish">
      <label>
        Ladder to upload
        <select value={jobId} onChange={(event) => setJobId(event.target.value)}>
          {ladders.map((ladder) => (
            <option key={ladder.id} value={ladder.id}>
              {ladder.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Title
        <input name="title" required maxLength={200} value={title} onChange={(event) => setTitle(event.target.value)} />
      </label>
      <label>
        Description
        <textarea name="description" rows={3} maxLength={5000} value={description} onChange={(event) => setDescription(event.target.value)} />
      </label>
      <div className="form-row">
        <label>
          Tags <span className="muted small">(comma separated)</span>
          <input name="tags" value={tags} placeholder="diving, reef, 8k" onChange={(event) => setTags(event.target.value)} />
        </label>
        <label>
          Genre
          <input name="genre" list="genres" value={genre} onChange={(event) => setGenre(event.target.value)} />
          <datalist id="genres">
            {GENRE_SUGGESTIONS.map((value) => (
              <option key={value} value={value} />
            ))}
          </datalist>
        </label>
        <label>
          Visibility
          <select value={visibility} onChange={(event) => setVisibility(event.target.value as typeof visibility)}>
            <option value="public">Public</option>
            <option value="unlisted">Unlisted</option>
            <option value="private">Private</option>
          </select>
        </label>
      </div>
      <fieldset className="form-row">
        <legend className="small">Location (optional)</legend>
        <label>
          Place
          <input name="placeName" value={placeName} placeholder="Blue Hole, Dahab" onChange={(event) => setPlaceName(event.target.value)} />
        </label>
        <label>
          Latitude
          <input name="latitude" type="number" step="any" min={-90} max={90} value={latitude} onChange={(event) => setLatitude(event.target.value)} />
        </label>
        <label>
          Longitude
          <input name="longitude" type="number" step="any" min={-180} max={180} value={longitude} onChange={(event) => setLongitude(event.target.value)} />
        </label>
      </fieldset>
      <CaptionsField captions={captions} onChange={setCaptions} />
      {publish.error ? <ErrorNote title="Publishing did not start." message={publish.error} /> : null}
      {started && !publish.error ? <p className="note small">Publishing: follow the upload in Jobs.</p> : null}
      <button type="submit" className="button primary" disabled={publish.busy}>
        {publish.busy ? 'Starting…' : 'Publish'}
      </button>
    </form>
  );
}
