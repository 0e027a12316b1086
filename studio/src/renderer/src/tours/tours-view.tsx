import { useMemo, useRef, useState } from 'react';
import type { ChangeEvent } from 'react';
import type { Hotspot, HotspotAction, Projection, TourScene } from '@spherecast/shared';
import { PROJECTIONS, TOUR_MEDIA_LIMITS } from '@spherecast/shared';
import type { View } from '@spherecast/shared/renderer';
import { OriginSignIn } from '../publish/publish-panel.tsx';
import { useAction, useAsync, useStudio } from '../state/studio-context.tsx';
import type { StudioOutputs } from '../trpc/client.ts';
import { EmptyState, ErrorNote, Spinner } from '../ui/feedback.tsx';
import { roundDirection, type Direction } from './sphere-direction.ts';
import {
  actionOfKind,
  addHotspot,
  addScene,
  draftFromDetail,
  draftProblems,
  emptyDraft,
  moveScene,
  removeHotspot,
  removeScene,
  toTourInput,
  updateHotspot,
  updateScene,
  type TourDraft,
} from './tour-draft.ts';
import { narrationTextFromFile } from './narration-import.ts';
import { TourPreview } from './tour-preview.tsx';
import './tours.css';

type SceneCandidate = StudioOutputs['tours']['scenes'][number];
type Refusal = Extract<StudioOutputs['tours']['publish'], { published: false }>;

const ACTION_LABELS = { scene: 'Go to a scene', info: 'Show an info card', narration: 'Play narration' } as const satisfies Record<
  HotspotAction['kind'],
  string
>;

/** The Tours view: sign in, then edit and publish guided tours on the signed-in origin. */
export function ToursView() {
  const { client } = useStudio();
  const session = useAsync(() => client.origin.session.query(), 'tours-session');
  if (session.loading && session.data === undefined) return <Spinner label="Checking sign-in…" />;
  if (session.error) return <ErrorNote message={session.error} onRetry={session.reload} />;
  if (!session.data) {
    return (
      <section className="panel tours-sign-in" aria-label="Tours">
        <h2>Tours</h2>
        <p>A tour connects your published 360° videos and photos with hotspots. Sign in to the origin they are published on.</p>
        <OriginSignIn onSignedIn={session.reload} />
      </section>
    );
  }
  return <TourEditor key={`${session.data.originUrl} ${session.data.userId}`} username={session.data.username} originUrl={session.data.originUrl} />;
}

function TourEditor({ username, originUrl }: { username: string; originUrl: string }) {
  const { client } = useStudio();
  const candidates = useAsync(() => client.tours.scenes.query(), 'tour-scenes');
  const tours = useAsync(() => client.tours.list.query(), 'tours-list');
  const [draft, setDraft] = useState<TourDraft>(emptyDraft);
  const [sceneId, setSceneId] = useState<string | null>(null);
  const [hotspotId, setHotspotId] = useState<string | null>(null);
  const [newSceneContentId, setNewSceneContentId] = useState('');
  const [editError, setEditError] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [published, setPublished] = useState<{ tourId: string; url: string } | null>(null);
  const [focus, setFocus] = useState<(Direction & { key: number }) | null>(null);
  const viewRef = useRef<View | null>(null);

  const scene = draft.scenes.find((candidate) => candidate.id === sceneId) ?? null;
  const hotspot = scene?.hotspots.find((candidate) => candidate.id === hotspotId) ?? null;
  const candidateOf = (contentId: string): SceneCandidate | undefined => candidates.data?.find((candidate) => candidate.contentId === contentId);
  const sceneContent = scene ? candidateOf(scene.contentId) : undefined;
  const poster = useAsync(
    () => (scene && sceneContent?.hasPoster ? client.tours.poster.query({ contentId: scene.contentId }) : Promise.resolve({ dataUrl: null })),
    `poster ${scene?.contentId ?? ''} ${sceneContent?.hasPoster ? 1 : 0}`,
  );
  const problems = useMemo(() => draftProblems(draft), [draft]);
  const flagged = useMemo(() => {
    const ids = new Set<string>();
    for (const problem of problems) if (problem.sceneId === sceneId && problem.hotspotId) ids.add(problem.hotspotId);
    for (const issue of refusal?.issues ?? []) if (issue.sceneId === sceneId && issue.hotspotId) ids.add(issue.hotspotId);
    return ids;
  }, [problems, refusal, sceneId]);

  /** Applies an edit to the draft; an edit that cannot be made (a limit) says why instead. */
  const edit = <T,>(change: (current: TourDraft) => { draft: TourDraft; made?: T } | TourDraft): T | undefined => {
    setEditError(null);
    setPublished(null);
    try {
      const result = change(draft);
      if ('scenes' in result) {
        setDraft(result);
        return undefined;
      }
      setDraft(result.draft);
      return result.made;
    } catch (error) {
      setEditError(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  };

  const selectScene = (id: string | null, hotspot: string | null = null): void => {
    setSceneId(id);
    setHotspotId(hotspot);
    const target = draft.scenes.find((candidate) => candidate.id === id);
    const there = target?.hotspots.find((candidate) => candidate.id === hotspot);
    setFocus({ key: Date.now(), yaw: there?.yaw ?? target?.startYaw ?? 0, pitch: there?.pitch ?? target?.startPitch ?? 0 });
  };

  const sceneTitle = (id: string): string => draft.scenes.find((candidate) => candidate.id === id)?.title ?? '';
  const describe = (spot: Hotspot): string => {
    switch (spot.action.kind) {
      case 'scene': {
        const title = sceneTitle(spot.action.targetSceneId);
        return title ? `Leads to ${title}` : `Leads to scene "${spot.action.targetSceneId}", which is not in the tour`;
      }
      case 'info':
        return `Info card: ${spot.action.title}`;
      case 'narration':
        return 'Plays narration';
    }
  };

  const open = useAction(async (id: string) => {
    const tour = await client.tours.get.query({ id });
    const next = draftFromDetail(tour);
    setDraft(next);
    setRefusal(null);
    setPublished(null);
    setSceneId(next.scenes[0]?.id ?? null);
    setHotspotId(null);
  });
  const save = useAction(async () => {
    const saved = await client.tours.save.mutate({ id: draft.id, tour: toTourInput(draft) });
    setDraft((current) => ({ ...current, id: saved.id }));
    tours.reload();
  });
  const publish = useAction(async () => {
    setRefusal(null);
    setPublished(null);
    const result = await client.tours.publish.mutate({ id: draft.id, tour: toTourInput(draft) });
    setDraft((current) => ({ ...current, id: result.tourId }));
    tours.reload();
    if (result.published) {
      setPublished({ tourId: result.tourId, url: result.url });
      return;
    }
    setRefusal(result);
    // Go straight to the first hotspot (or scene) the origin named.
    const first = result.issues.find((issue) => issue.hotspotId) ?? result.issues.find((issue) => issue.sceneId);
    if (first?.sceneId) selectScene(first.sceneId, first.hotspotId);
  });

  const importNarration = async (event: ChangeEvent<HTMLInputElement>, apply: (text: string) => void): Promise<void> => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    if (!/^text\/|\.(txt|vtt)$/i.test(file.type || file.name)) {
      setEditError(`${file.name} is not a text or WebVTT file. Import the narration's text (.txt or .vtt); audio goes in by its address.`);
      return;
    }
    apply(narrationTextFromFile(file.name, await file.text()));
  };

  /**
   * Uploads a narration audio file through the engine to the origin (saving the tour first when it is
   * new: the file belongs to a tour) and puts the address the origin answers in the scene's or
   * hotspot's narration. Applied to the draft as it is when the upload ends, so edits made meanwhile stay.
   */
  const uploadAudio = useAction(async (file: File, target: AudioTarget) => {
    setEditError(null);
    const extension = file.name.split('.').pop()?.toLowerCase() ?? '';
    if (!(TOUR_MEDIA_LIMITS.audioExtensions as readonly string[]).includes(extension) && !file.type.startsWith('audio/')) {
      throw new Error(`${file.name} is not an audio file. Choose an MP3, M4A, Ogg or WAV file.`);
    }
    if (file.size > TOUR_MEDIA_LIMITS.audioMaxBytes) {
      throw new Error(`${file.name} is larger than ${TOUR_MEDIA_LIMITS.audioMaxBytes / 1048576} MiB; shorten or compress the narration.`);
    }
    let tourId = draft.id;
    if (!tourId) {
      tourId = (await client.tours.save.mutate({ id: null, tour: toTourInput(draft) })).id;
      const saved = tourId;
      setDraft((current) => ({ ...current, id: saved }));
      tours.reload();
    }
    const uploaded = await client.tours.uploadAudio.mutate({ tourId, fileName: file.name, dataBase64: await base64Of(file) });
    setPublished(null);
    setDraft((current) => withNarrationAudio(current, target, uploaded.url));
  });
  const onUploadAudio: UploadAudio = (event, target) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file) void uploadAudio.run(file, target);
  };

  const setAction = (action: HotspotAction): void => {
    if (scene && hotspot) edit((current) => updateHotspot(current, scene.id, hotspot.id, { action }));
  };

  return (
    <section className="tours" aria-label="Tour editor">
      <aside className="tours-side panel">
        <div className="signed-in small" data-testid="tours-signed-in">
          Signed in as <strong>{username}</strong> at <code>{originUrl}</code>
        </div>
        <header className="panel-header">
          <h3>Your tours</h3>
          <button
            type="button"
            className="button small"
            onClick={() => {
              setDraft(emptyDraft());
              setRefusal(null);
              setPublished(null);
              setSceneId(null);
              setHotspotId(null);
            }}
          >
            New tour
          </button>
        </header>
        {tours.error ? <ErrorNote message={tours.error} onRetry={tours.reload} /> : null}
        {open.error ? <ErrorNote message={open.error} /> : null}
        <ul className="tours-list" data-testid="tours-list">
          {(tours.data ?? []).map((tour) => (
            <li key={tour.id}>
              <button type="button" className={`link-button${tour.id === draft.id ? ' current' : ''}`} onClick={() => void open.run(tour.id)}>
                {tour.title}
              </button>{' '}
              <span className="small muted" data-testid="tour-status">
                {tour.status} · {tour.sceneCount} scenes
              </span>
            </li>
          ))}
          {tours.data?.length === 0 ? <li className="small muted">No tours yet.</li> : null}
        </ul>

        <div className="form">
          <label>
            Tour title
            <input value={draft.title} maxLength={200} onChange={(event) => edit((current) => ({ ...current, title: event.target.value }))} />
          </label>
          <label>
            Tour description
            <textarea rows={2} value={draft.description} onChange={(event) => edit((current) => ({ ...current, description: event.target.value }))} />
          </label>
          <fieldset className="tours-mode">
            <legend className="small">How viewers move</legend>
            <label className="checkbox">
              <input type="radio" name="tour-mode" checked={draft.mode === 'free'} onChange={() => edit((current) => ({ ...current, mode: 'free' }))} /> Free:
              they follow hotspots
            </label>
            <label className="checkbox">
              <input type="radio" name="tour-mode" checked={draft.mode === 'guided'} onChange={() => edit((current) => ({ ...current, mode: 'guided' }))} />{' '}
              Guided: scenes advance on their own
            </label>
          </fieldset>
          <label>
            Tour visibility
            <select
              value={draft.visibility}
              onChange={(event) => edit((current) => ({ ...current, visibility: event.target.value as TourDraft['visibility'] }))}
            >
              <option value="public">Public</option>
              <option value="unlisted">Unlisted</option>
              <option value="private">Private</option>
            </select>
          </label>
        </div>

        <h4>Scenes</h4>
        <ol className="tours-scenes" data-testid="tour-scenes">
          {draft.scenes.map((item, index) => (
            <li key={item.id} className={item.id === sceneId ? 'current' : undefined} data-testid="tour-scene" data-scene-id={item.id}>
              <button type="button" className="link-button" aria-current={item.id === sceneId} onClick={() => selectScene(item.id)}>
                {index + 1}. {item.title}
              </button>
              <span className="small muted">{item.hotspots.length} hotspots</span>
              <span className="tours-scene-actions">
                <button
                  type="button"
                  className="button small"
                  aria-label={`Move ${item.title} up`}
                  disabled={index === 0}
                  onClick={() => edit((current) => moveScene(current, item.id, -1))}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="button small"
                  aria-label={`Move ${item.title} down`}
                  disabled={index === draft.scenes.length - 1}
                  onClick={() => edit((current) => moveScene(current, item.id, 1))}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="button small"
                  aria-label={`Remove scene ${item.title}`}
                  onClick={() => {
                    edit((current) => removeScene(current, item.id));
                    if (sceneId === item.id) selectScene(null);
                  }}
                >
                  ✕
                </button>
              </span>
            </li>
          ))}
        </ol>
        {candidates.error ? <ErrorNote message={candidates.error} onRetry={candidates.reload} /> : null}
        {candidates.data?.length === 0 ? (
          <p className="note small">You have no published videos or photos on this origin yet: publish some from a project, then add them here as scenes.</p>
        ) : null}
        <div className="tours-add-scene">
          <select aria-label="Published content for a new scene" value={newSceneContentId} onChange={(event) => setNewSceneContentId(event.target.value)}>
            <option value="">Choose a published video or photo…</option>
            {(candidates.data ?? []).map((candidate) => (
              <option key={candidate.contentId} value={candidate.contentId}>
                {candidate.title} ({candidate.kind}, {candidate.visibility})
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button small"
            disabled={!newSceneContentId}
            onClick={() => {
              const source = candidateOf(newSceneContentId);
              if (!source) return;
              const added = edit((current) => {
                const result = addScene(current, source);
                return { draft: result.draft, made: result.sceneId };
              });
              setNewSceneContentId('');
              if (added) selectScene(added);
            }}
          >
            Add scene
          </button>
        </div>
      </aside>

      <div className="tours-main">
        {scene ? (
          <>
            <div className="tours-scene-header">
              <label>
                Scene title
                <input
                  value={scene.title}
                  maxLength={200}
                  onChange={(event) => edit((current) => updateScene(current, scene.id, { title: event.target.value }))}
                />
              </label>
              <label className="small">
                Layout
                <select aria-label="Scene layout" value={sceneContent?.projection ?? 'equirectangular-mono'} disabled>
                  {PROJECTIONS.map((value) => (
                    <option key={value} value={value}>
                      {value}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <p className="small muted">Click in the sphere to place a hotspot there; drag to look around, scroll to zoom.</p>
            {poster.error ? <ErrorNote message={poster.error} onRetry={poster.reload} /> : null}
            <TourPreview
              posterUrl={poster.data?.dataUrl ?? null}
              projection={(sceneContent?.projection ?? 'equirectangular-mono') as Projection}
              hotspots={scene.hotspots}
              describe={describe}
              selectedHotspotId={hotspotId}
              flaggedHotspotIds={flagged}
              focus={focus}
              onView={(view) => (viewRef.current = view)}
              onSelect={(id) => setHotspotId(id)}
              onPlace={(direction) => {
                const placed = edit((current) => {
                  const result = addHotspot(current, scene.id, direction);
                  return { draft: result.draft, made: result.hotspotId };
                });
                if (placed) setHotspotId(placed);
              }}
            />
            <div className="tours-scene-tools">
              <button
                type="button"
                className="button small"
                onClick={() => {
                  const view = viewRef.current;
                  if (!view) return;
                  const { yaw, pitch } = roundDirection(view);
                  edit((current) => updateScene(current, scene.id, { startYaw: yaw, startPitch: pitch }));
                }}
              >
                Start this scene facing here
              </button>
              <span className="small muted" data-testid="scene-start">
                Starts at yaw {scene.startYaw ?? 0}°, pitch {scene.startPitch ?? 0}°
              </span>
            </div>
            <SceneNarration
              scene={scene}
              onChange={(change) => edit((current) => updateScene(current, scene.id, change))}
              onImport={importNarration}
              onUploadAudio={onUploadAudio}
            />
          </>
        ) : (
          <EmptyState title={draft.scenes.length === 0 ? 'Add the first scene' : 'Choose a scene'}>
            <p>Scenes are your published 360° videos and photos. The first scene is where the tour starts; hotspots lead from one scene to the next.</p>
          </EmptyState>
        )}
      </div>

      <aside className="tours-inspector panel">
        {editError ? <ErrorNote message={editError} /> : null}
        {uploadAudio.error ? <ErrorNote title="Narration audio not uploaded." message={uploadAudio.error} /> : null}
        {uploadAudio.busy ? (
          <p className="small muted" role="status" data-testid="narration-uploading">
            Uploading narration audio…
          </p>
        ) : null}
        {scene ? (
          <>
            <h4>Hotspots in {scene.title}</h4>
            <ul className="tours-hotspots" data-testid="scene-hotspots">
              {scene.hotspots.map((spot) => (
                <li key={spot.id} className={flagged.has(spot.id) ? 'flagged' : undefined}>
                  <button type="button" className="link-button" aria-current={spot.id === hotspotId} onClick={() => selectScene(scene.id, spot.id)}>
                    {spot.label || spot.id}
                  </button>{' '}
                  <span className="small muted">{describe(spot)}</span>
                </li>
              ))}
              {scene.hotspots.length === 0 ? <li className="small muted">None yet: click in the sphere.</li> : null}
            </ul>
          </>
        ) : null}
        {scene && hotspot ? (
          <HotspotInspector
            key={`${scene.id}/${hotspot.id}`}
            draft={draft}
            scene={scene}
            hotspot={hotspot}
            flagged={flagged.has(hotspot.id)}
            onChange={(change) => edit((current) => updateHotspot(current, scene.id, hotspot.id, change))}
            onAction={setAction}
            onRemove={() => {
              edit((current) => removeHotspot(current, scene.id, hotspot.id));
              setHotspotId(null);
            }}
            onImport={importNarration}
            onUploadAudio={onUploadAudio}
          />
        ) : null}

        <h4>Before publishing</h4>
        {problems.length === 0 ? (
          <p className="small muted" data-testid="tour-problems-none">
            Nothing to fix in the tour itself. The origin checks the scenes&apos; content when you publish.
          </p>
        ) : (
          <ul className="tours-problems" data-testid="tour-problems">
            {problems.map((problem, index) => (
              <li key={index} className="small">
                {problem.message}
              </li>
            ))}
          </ul>
        )}
        <div className="tours-publish">
          <button type="button" className="button" disabled={save.busy || publish.busy} onClick={() => void save.run()}>
            {save.busy ? 'Saving…' : 'Save draft'}
          </button>
          <button type="button" className="button primary" disabled={save.busy || publish.busy} onClick={() => void publish.run()}>
            {publish.busy ? 'Publishing…' : 'Publish tour'}
          </button>
        </div>
        {draft.id ? (
          <p className="small muted" data-testid="tour-id">
            Saved on the origin as {draft.id}
          </p>
        ) : null}
        {save.error ? <ErrorNote title="Not saved." message={save.error} /> : null}
        {publish.error ? <ErrorNote title="Not published." message={publish.error} /> : null}
        {refusal ? (
          <div className="note note-error" role="alert" data-testid="tour-refusal">
            <div>
              <strong>The origin refused to publish the tour. </strong>
              {refusal.issues.length === 0 ? refusal.message : null}
            </div>
            <ul>
              {refusal.issues.map((issue, index) => (
                <li key={index} data-testid="tour-refusal-issue" data-hotspot-id={issue.hotspotId ?? undefined} data-scene-id={issue.sceneId ?? undefined}>
                  {issue.message}{' '}
                  {issue.sceneId ? (
                    <button type="button" className="link-button" onClick={() => issue.sceneId && selectScene(issue.sceneId, issue.hotspotId)}>
                      Show
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {published ? (
          <p className="note small" role="status" data-testid="tour-published">
            Published: <a href={published.url}>{published.url}</a>
          </p>
        ) : null}
      </aside>
    </section>
  );
}

type ImportNarration = (event: ChangeEvent<HTMLInputElement>, apply: (text: string) => void) => Promise<void>;
/** Where an uploaded narration audio goes: a scene's narration, or a narration hotspot's. */
type AudioTarget = { sceneId: string; hotspotId: string | null };
type UploadAudio = (event: ChangeEvent<HTMLInputElement>, target: AudioTarget) => void;

const AUDIO_ACCEPT = [...TOUR_MEDIA_LIMITS.audioExtensions.map((extension) => `.${extension}`), 'audio/*'].join(',');

function withNarrationAudio(draft: TourDraft, target: AudioTarget, audioUrl: string): TourDraft {
  const scene = draft.scenes.find((candidate) => candidate.id === target.sceneId);
  if (!scene) return draft;
  if (target.hotspotId === null) return updateScene(draft, scene.id, { narration: { text: scene.narration?.text ?? null, audioUrl } });
  const spot = scene.hotspots.find((candidate) => candidate.id === target.hotspotId);
  if (spot?.action.kind !== 'narration') return draft;
  return updateHotspot(draft, scene.id, spot.id, { action: { ...spot.action, audioUrl } });
}

/** A file's bytes as base64, for the engine call (JSON over IPC or HTTP). */
function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : '';
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error(`Could not read ${file.name}.`));
    reader.readAsDataURL(file);
  });
}

function SceneNarration({
  scene,
  onChange,
  onImport,
  onUploadAudio,
}: {
  scene: TourScene;
  onChange: (change: Partial<TourScene>) => void;
  onImport: ImportNarration;
  onUploadAudio: UploadAudio;
}) {
  const narration = scene.narration;
  const setNarration = (change: { text?: string | null; audioUrl?: string | null }): void => {
    const next = { text: narration?.text ?? null, audioUrl: narration?.audioUrl ?? null, ...change };
    onChange({ narration: next.text || next.audioUrl ? next : null });
  };
  return (
    <fieldset className="form tours-narration">
      <legend className="small">Scene narration (optional)</legend>
      <label>
        Narration text
        <textarea
          rows={3}
          data-testid="scene-narration-text"
          value={narration?.text ?? ''}
          onChange={(event) => setNarration({ text: event.target.value || null })}
        />
      </label>
      <label className="small">
        Import narration text (.txt or .vtt)
        <input type="file" accept=".txt,.vtt,text/plain,text/vtt" onChange={(event) => void onImport(event, (text) => setNarration({ text }))} />
      </label>
      <label>
        Narration audio address
        <input
          type="url"
          placeholder="https://… or /media/…"
          value={narration?.audioUrl ?? ''}
          data-testid="scene-narration-audio"
          onChange={(event) => setNarration({ audioUrl: event.target.value || null })}
        />
      </label>
      <label className="small">
        Upload narration audio (MP3, M4A, Ogg, WAV)
        <input
          type="file"
          accept={AUDIO_ACCEPT}
          data-testid="scene-narration-audio-file"
          onChange={(event) => onUploadAudio(event, { sceneId: scene.id, hotspotId: null })}
        />
      </label>
      <label>
        Seconds before the next scene (guided tours; empty: the content&apos;s length)
        <input
          type="number"
          min={1}
          step="any"
          value={scene.durationSeconds ?? ''}
          onChange={(event) => onChange({ durationSeconds: event.target.value === '' ? null : Number(event.target.value) })}
        />
      </label>
    </fieldset>
  );
}

interface HotspotInspectorProps {
  draft: TourDraft;
  scene: TourScene;
  hotspot: Hotspot;
  flagged: boolean;
  onChange: (change: Partial<Omit<Hotspot, 'id'>>) => void;
  onAction: (action: HotspotAction) => void;
  onRemove: () => void;
  onImport: ImportNarration;
  onUploadAudio: UploadAudio;
}

function HotspotInspector({ draft, scene, hotspot, flagged, onChange, onAction, onRemove, onImport, onUploadAudio }: HotspotInspectorProps) {
  const action = hotspot.action;
  const targetKnown = action.kind === 'scene' && draft.scenes.some((candidate) => candidate.id === action.targetSceneId);
  return (
    <div
      className={`form tours-hotspot${flagged ? ' flagged' : ''}`}
      data-testid="hotspot-inspector"
      data-hotspot-id={hotspot.id}
      aria-label={`Hotspot ${hotspot.id}`}
    >
      <h4>Hotspot {hotspot.id}</h4>
      <label>
        Hotspot label
        <input value={hotspot.label} maxLength={120} placeholder="Shown beside the marker" onChange={(event) => onChange({ label: event.target.value })} />
      </label>
      <div className="form-row">
        <label>
          Yaw
          <input type="number" step={0.1} min={-180} max={180} value={hotspot.yaw} onChange={(event) => onChange({ yaw: Number(event.target.value) })} />
        </label>
        <label>
          Pitch
          <input type="number" step={0.1} min={-90} max={90} value={hotspot.pitch} onChange={(event) => onChange({ pitch: Number(event.target.value) })} />
        </label>
      </div>
      <label>
        What it does
        <select value={action.kind} onChange={(event) => onAction(actionOfKind(event.target.value as HotspotAction['kind'], draft, scene.id, action))}>
          {(Object.keys(ACTION_LABELS) as HotspotAction['kind'][]).map((kind) => (
            <option key={kind} value={kind}>
              {ACTION_LABELS[kind]}
            </option>
          ))}
        </select>
      </label>
      {action.kind === 'scene' ? (
        <label>
          Target scene
          <select value={action.targetSceneId} onChange={(event) => onAction({ kind: 'scene', targetSceneId: event.target.value })}>
            {!targetKnown ? (
              <option value={action.targetSceneId}>{action.targetSceneId ? `Missing: ${action.targetSceneId}` : 'Choose a scene…'}</option>
            ) : null}
            {draft.scenes
              .filter((candidate) => candidate.id !== scene.id)
              .map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.title}
                </option>
              ))}
          </select>
        </label>
      ) : null}
      {action.kind === 'info' ? (
        <>
          <label>
            Card title
            <input value={action.title} maxLength={200} onChange={(event) => onAction({ ...action, title: event.target.value })} />
          </label>
          <label>
            Card text
            <textarea rows={3} value={action.text} onChange={(event) => onAction({ ...action, text: event.target.value })} />
          </label>
          <label>
            Card image address
            <input
              type="url"
              value={action.imageUrl ?? ''}
              placeholder="https://… or /media/…"
              onChange={(event) => onAction({ ...action, imageUrl: event.target.value || null })}
            />
          </label>
        </>
      ) : null}
      {action.kind === 'narration' ? (
        <>
          <label>
            Hotspot narration text
            <textarea rows={3} value={action.text ?? ''} onChange={(event) => onAction({ ...action, text: event.target.value || null })} />
          </label>
          <label className="small">
            Import hotspot narration text (.txt or .vtt)
            <input type="file" accept=".txt,.vtt,text/plain,text/vtt" onChange={(event) => void onImport(event, (text) => onAction({ ...action, text }))} />
          </label>
          <label>
            Hotspot narration audio address
            <input
              type="url"
              value={action.audioUrl ?? ''}
              placeholder="https://… or /media/…"
              onChange={(event) => onAction({ ...action, audioUrl: event.target.value || null })}
            />
          </label>
          <label className="small">
            Upload hotspot narration audio (MP3, M4A, Ogg, WAV)
            <input type="file" accept={AUDIO_ACCEPT} onChange={(event) => onUploadAudio(event, { sceneId: scene.id, hotspotId: hotspot.id })} />
          </label>
        </>
      ) : null}
      <button type="button" className="button small danger" onClick={onRemove}>
        Remove hotspot
      </button>
    </div>
  );
}
