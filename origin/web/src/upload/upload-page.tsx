// The web upload page: a raw 360° video goes to the origin with tus (resumable: pause, lose the
// connection, resume), then the page follows its processing (probe, stitch check, transcode,
// publish) and shows the stitch-check report, until the video can be watched. Caption files chosen in
// the form wait in the page until the video is ready, then go to the origin one by one.
import { useCallback, useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { Upload } from 'tus-js-client';
import { PROJECTIONS, UPLOAD_STATUSES, VISIBILITIES, type Projection, type UploadState, type UploadStatus } from '@spherecast/shared';
import { formatBytes } from '@spherecast/shared/format';
import { api, errorMessage } from '../api/client.ts';
import { RequireSignIn } from '../auth/require-sign-in.tsx';
import { useSession } from '../auth/session.tsx';
import { Link } from '../router.tsx';
import { FormError, SelectField } from '../ui/fields.tsx';
import { EmptyState } from '../ui/states.tsx';
import { CaptionRows, CaptionsField, type CaptionRow } from './captions-field.tsx';
import './upload.css';

const STATUS_LABELS: Record<UploadStatus, string> = {
  uploading: 'Uploading',
  queued: 'Waiting for a worker',
  probing: 'Checking the file',
  checking: 'Checking the stitching',
  transcoding: 'Making the streaming versions',
  publishing: 'Publishing',
  ready: 'Ready to watch',
  failed: 'Failed',
};
const PROJECTION_LABELS: Record<Projection, string> = {
  'equirectangular-mono': '360° mono (equirectangular)',
  'stereo-top-bottom': '360° 3D, top-bottom',
  'stereo-left-right': '360° 3D, left-right',
};
/** Chunks of 8 MiB: a lost connection costs at most one chunk. */
const CHUNK_BYTES = 8 * 1024 * 1024;
const POLL_MS = 1000;

interface Fields {
  title: string;
  description: string;
  tags: string;
  genre: string;
  projection: Projection;
  visibility: (typeof VISIBILITIES)[number];
  placeName: string;
  latitude: string;
  longitude: string;
}

const EMPTY: Fields = {
  title: '',
  description: '',
  tags: '',
  genre: '',
  projection: 'equirectangular-mono',
  visibility: 'public',
  placeName: '',
  latitude: '',
  longitude: '',
};

export default function UploadPage() {
  return (
    <RequireSignIn>
      <UploadForm />
    </RequireSignIn>
  );
}

function UploadForm() {
  const { me } = useSession();
  const [file, setFile] = useState<File | null>(null);
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [contentId, setContentId] = useState<string | null>(null);
  const [uploadId, setUploadId] = useState<string | null>(null);
  const [sent, setSent] = useState(0);
  const [paused, setPaused] = useState(false);
  const [state, setState] = useState<UploadState | null>(null);
  const [dragging, setDragging] = useState(false);
  const [captions, setCaptions] = useState<CaptionRow[]>([]);
  const captionsSent = useRef(false);
  const upload = useRef<Upload | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  // Follow the processing once the bytes are in.
  useEffect(() => {
    if (!uploadId) return;
    let stopped = false;
    const poll = async () => {
      try {
        const next = await api.uploads.get.query({ uploadId });
        if (stopped) return;
        setState(next);
        if (next.status === 'ready' || next.status === 'failed') return;
      } catch (e) {
        if (!stopped) setError(errorMessage(e));
      }
      if (!stopped) setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
    };
  }, [uploadId]);

  useEffect(() => () => void upload.current?.abort(), []);

  // Captions can only be added to a published video: send the queued rows once it is ready, one at a
  // time (each change publishes a new version of the master).
  const sendCaption = useCallback(async (id: string, row: CaptionRow) => {
    const mark = (change: Pick<CaptionRow, 'state' | 'error'>) => setCaptions((rows) => rows.map((r) => (r.lang === row.lang ? { ...r, ...change } : r)));
    mark({ state: 'sending', error: null });
    try {
      await api.content.putCaption.mutate({ id, lang: row.lang, label: row.label, vtt: row.vtt });
      mark({ state: 'sent', error: null });
    } catch (e) {
      mark({ state: 'failed', error: errorMessage(e) });
    }
  }, []);
  const ready = state?.status === 'ready';
  useEffect(() => {
    if (!ready || !contentId || captionsSent.current) return;
    captionsSent.current = true;
    void (async () => {
      for (const row of captions) if (row.state === 'queued') await sendCaption(contentId, row);
    })();
  }, [ready, contentId, captions, sendCaption]);

  if (me && me.role === 'viewer') {
    return <EmptyState title="Uploading is for creators">Your account is a viewer account. Ask the operator to make it a creator account.</EmptyState>;
  }

  const set = (name: keyof Fields) => (event: { target: { value: string } }) => setFields((f) => ({ ...f, [name]: event.target.value }));
  const choose = (chosen: File | undefined) => {
    if (!chosen) return;
    setFile(chosen);
    setFields((f) => (f.title ? f : { ...f, title: chosen.name.replace(/\.[^.]+$/, '').slice(0, 120) }));
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    choose(event.dataTransfer.files[0]);
  };

  const startTus = (url: string, chosen: File) => {
    const tus = new Upload(chosen, {
      uploadUrl: url,
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      // The session cookie authenticates the tus requests (same origin).
      onBeforeRequest: (request) => {
        const xhr = request.getUnderlyingObject() as XMLHttpRequest;
        xhr.withCredentials = true;
      },
      onProgress: (bytes) => setSent(bytes),
      onError: (e) => setError(`The upload stopped: ${e.message.split('\n')[0] ?? ''} Press Resume to continue where it stopped.`),
      onSuccess: () => setSent(chosen.size),
    });
    upload.current = tus;
    tus.start();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) {
      setError('Choose a video file first (drag it here, or use Choose a file).');
      return;
    }
    setError(null);
    try {
      const tags = fields.tags
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean);
      const hasPlace = fields.placeName.trim() && fields.latitude && fields.longitude;
      const content = await api.content.create.mutate({
        kind: 'video',
        title: fields.title,
        description: fields.description,
        tags,
        ...(fields.genre.trim() ? { genre: fields.genre.trim() } : {}),
        projection: fields.projection,
        visibility: fields.visibility,
        ...(hasPlace ? { location: { placeName: fields.placeName.trim(), latitude: Number(fields.latitude), longitude: Number(fields.longitude) } } : {}),
      });
      setContentId(content.id);
      const created = await api.uploads.create.mutate({ contentId: content.id, fileName: file.name, size: file.size });
      setUploadId(created.uploadId);
      startTus(created.uploadUrl, file);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const pause = () => {
    void upload.current?.abort();
    setPaused(true);
  };
  const resume = () => {
    setPaused(false);
    setError(null);
    upload.current?.start();
  };

  const changeProjection = async (projection: Projection) => {
    if (!contentId) return;
    setFields((f) => ({ ...f, projection }));
    try {
      await api.content.update.mutate({ id: contentId, projection });
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const status: UploadStatus = state?.status ?? 'uploading';
  const uploading = uploadId !== null && status === 'uploading';
  const uploadFraction = file && file.size > 0 ? sent / file.size : 0;

  return (
    <div className="upload-page">
      <h1>Upload a 360° video</h1>
      {uploadId === null ? (
        <form className="upload-form" onSubmit={(e) => void submit(e)} aria-labelledby="upload-form-title">
          <h2 id="upload-form-title" className="visually-hidden">
            Video and details
          </h2>
          <div
            className={`drop-zone${dragging ? ' drop-zone-active' : ''}`}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
            data-testid="drop-zone"
          >
            <p>{file ? `${file.name} (${formatBytes(file.size)})` : 'Drag your 360° video here (MP4 or MOV, equirectangular)'}</p>
            <label className="button">
              Choose a file
              <input ref={inputRef} className="visually-hidden" type="file" accept="video/*,.mp4,.mov,.mkv" onChange={(e) => choose(e.target.files?.[0])} />
            </label>
          </div>
          <label>
            <span>Title</span>
            <input name="title" required maxLength={120} value={fields.title} onChange={set('title')} />
          </label>
          <label>
            <span>Description</span>
            <textarea name="description" rows={3} value={fields.description} onChange={set('description')} />
          </label>
          <label>
            <span>Tags (separated by commas)</span>
            <input name="tags" value={fields.tags} onChange={set('tags')} />
          </label>
          <label>
            <span>Genre</span>
            <input name="genre" value={fields.genre} onChange={set('genre')} />
          </label>
          <SelectField
            label="Projection (checked from the file after upload)"
            name="projection"
            value={fields.projection}
            options={PROJECTIONS}
            labels={(p) => PROJECTION_LABELS[p]}
            onChange={(projection) => setFields((f) => ({ ...f, projection }))}
          />
          <SelectField
            label="Visibility"
            name="visibility"
            value={fields.visibility}
            options={VISIBILITIES}
            onChange={(visibility) => setFields((f) => ({ ...f, visibility }))}
          />
          <fieldset className="upload-location">
            <legend>Location (optional)</legend>
            <label>
              <span>Place</span>
              <input name="placeName" value={fields.placeName} onChange={set('placeName')} />
            </label>
            <label>
              <span>Latitude</span>
              <input name="latitude" type="number" step="any" min={-90} max={90} value={fields.latitude} onChange={set('latitude')} />
            </label>
            <label>
              <span>Longitude</span>
              <input name="longitude" type="number" step="any" min={-180} max={180} value={fields.longitude} onChange={set('longitude')} />
            </label>
          </fieldset>
          <CaptionsField rows={captions} onChange={setCaptions} />
          <FormError error={error} />
          <button type="submit" className="button button-wide">
            Upload
          </button>
        </form>
      ) : (
        <section className="upload-progress" aria-labelledby="upload-status-title">
          <h2 id="upload-status-title">{file?.name}</h2>
          <p data-testid="upload-status" data-status={status} role="status">
            {STATUS_LABELS[status]}
            {uploading ? ` — ${formatBytes(sent)} of ${formatBytes(file?.size ?? 0)}` : ''}
          </p>
          <progress
            aria-label={uploading ? 'Upload progress' : 'Processing progress'}
            max={1}
            value={uploading ? uploadFraction : status === 'ready' ? 1 : (state?.progress ?? 0)}
          />
          <ol className="upload-steps" aria-label="Steps">
            {UPLOAD_STATUSES.filter((s) => s !== 'failed').map((s) => (
              <li key={s} aria-current={s === status ? 'step' : undefined}>
                {STATUS_LABELS[s]}
              </li>
            ))}
          </ol>
          {uploading ? (
            paused ? (
              <button type="button" className="button" onClick={resume}>
                Resume
              </button>
            ) : (
              <button type="button" className="button button-ghost" onClick={pause}>
                Pause
              </button>
            )
          ) : null}
          {state?.status === 'failed' || error ? (
            <p className="form-error" role="alert">
              {state?.error ?? error}
            </p>
          ) : null}
          {state?.duplicateOf ? <p>You uploaded this same file before; it was not processed again.</p> : null}
          {state?.projection && contentId ? (
            <SelectField
              label="Projection detected from the file"
              name="detected-projection"
              value={fields.projection}
              options={PROJECTIONS}
              labels={(p) => `${PROJECTION_LABELS[p]}${p === state.projection ? ' (detected)' : ''}`}
              onChange={(projection) => void changeProjection(projection)}
            />
          ) : null}
          {state?.stitchReport ? (
            <table className="stitch-report" data-testid="stitch-report">
              <caption>Stitch check: {state.stitchReport.status}</caption>
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col">Result</th>
                  <th scope="col">What it means</th>
                </tr>
              </thead>
              <tbody>
                {state.stitchReport.checks.map((check) => (
                  <tr key={check.id}>
                    <th scope="row">{check.id}</th>
                    <td>{check.status}</td>
                    <td>{check.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {captions.length > 0 ? (
            <section className="upload-captions" aria-labelledby="upload-captions-title">
              <h3 id="upload-captions-title">Captions</h3>
              {state?.status === 'failed' ? <p>The captions were not sent: the video was not processed.</p> : null}
              <CaptionRows
                rows={captions}
                onRetry={(lang) => {
                  const row = captions.find((r) => r.lang === lang);
                  if (row && contentId) void sendCaption(contentId, row);
                }}
              />
            </section>
          ) : null}
          {state?.watchUrl ? (
            <p>
              <Link to={state.watchUrl}>Watch it now</Link>
            </p>
          ) : null}
        </section>
      )}
    </div>
  );
}
