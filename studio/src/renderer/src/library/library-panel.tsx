import { useState } from 'react';
import type { DragEvent, FormEvent } from 'react';
import type { StudioOutputs } from '../trpc/client.ts';
import { useAction, useStudio } from '../state/studio-context.tsx';
import { formatDuration } from '@spherecast/shared/format';
import { EmptyState, ErrorNote, PROJECTION_LABELS, Spinner } from '../ui/feedback.tsx';
import { uploadFile } from './add-media.ts';

export type ProjectSummary = StudioOutputs['projects']['list'][number];

interface LibraryPanelProps {
  projects: ProjectSummary[] | undefined;
  loading: boolean;
  error: string | null;
  selectedId: string | null;
  onSelect: (id: string) => void;
  onAdded: (id: string) => void;
  onRetry: () => void;
}

/** The library: every local project, and the ways to add one (drop, path, upload or native dialog). */
export function LibraryPanel({ projects, loading, error, selectedId, onSelect, onAdded, onRetry }: LibraryPanelProps) {
  const { client, transport } = useStudio();
  const desktop = window.spherecastDesktop;
  const [path, setPath] = useState('');
  const [dragging, setDragging] = useState(false);
  const [uploadProgress, setUploadProgress] = useState<number | null>(null);

  const add = useAction(async (sourcePath: string) => {
    const project = await client.projects.add.mutate({ path: sourcePath });
    onAdded(project.id);
    return project;
  });

  const addFile = useAction(async (file: File) => {
    // In the desktop app a dropped file has a real path; in a browser it has to be uploaded first.
    const realPath = desktop?.pathForFile(file) ?? '';
    let sourcePath = realPath;
    if (!sourcePath) {
      setUploadProgress(0);
      try {
        sourcePath = (await uploadFile(file, setUploadProgress)).path;
      } finally {
        setUploadProgress(null);
      }
    }
    const project = await client.projects.add.mutate({ path: sourcePath });
    onAdded(project.id);
    return project;
  });

  const busy = add.busy || addFile.busy;
  const failure = add.error ?? addFile.error;

  const onSubmitPath = async (event: FormEvent) => {
    event.preventDefault();
    if (!path.trim()) return;
    if (await add.run(path.trim())) setPath('');
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void addFile.run(file);
  };

  const onBrowse = async () => {
    if (desktop) {
      const chosen = await desktop.openFileDialog();
      if (chosen) await add.run(chosen);
    }
  };

  return (
    <aside className="library" aria-label="Library">
      <header className="library-header">
        <h2>Library</h2>
        <span className="muted small">{projects ? `${projects.length} project${projects.length === 1 ? '' : 's'}` : ''}</span>
      </header>

      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        data-testid="dropzone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>
          <strong>Drop a 360° video or photo here</strong>
        </p>
        <p className="muted small">{transport === 'ipc' ? 'The file stays where it is.' : 'The file is copied into the studio data folder.'}</p>
        <div className="dropzone-actions">
          {desktop ? (
            <button type="button" className="button" onClick={() => void onBrowse()} disabled={busy}>
              Choose file…
            </button>
          ) : (
            <label className="button">
              Choose file…
              <input
                type="file"
                accept="video/*,image/*"
                hidden
                data-testid="file-input"
                onChange={(event) => {
                  const file = event.target.files?.[0];
                  event.target.value = '';
                  if (file) void addFile.run(file);
                }}
              />
            </label>
          )}
        </div>
        {uploadProgress !== null ? (
          <div className="upload-progress">
            <progress value={uploadProgress} max={1} /> <span className="small">Uploading {Math.round(uploadProgress * 100)}%</span>
          </div>
        ) : null}
      </div>

      <form className="path-form" onSubmit={(event) => void onSubmitPath(event)}>
        <label htmlFor="source-path" className="small muted">
          Or open a file by its path on this computer
        </label>
        <div className="row">
          <input
            id="source-path"
            name="source-path"
            type="text"
            placeholder="/home/you/Videos/dive-360.mp4"
            value={path}
            onChange={(event) => setPath(event.target.value)}
            spellCheck={false}
            autoComplete="off"
          />
          <button type="submit" className="button primary" disabled={busy || !path.trim()}>
            Open
          </button>
        </div>
      </form>

      {busy && uploadProgress === null ? <Spinner label="Reading the file with ffprobe…" /> : null}
      {failure ? <ErrorNote title="Could not add the file." message={failure} /> : null}

      <nav className="project-list" aria-label="Projects">
        {error ? <ErrorNote title="The library did not load." message={error} onRetry={onRetry} /> : null}
        {loading && !projects ? <Spinner label="Loading projects…" /> : null}
        {projects && projects.length === 0 ? <EmptyState title="No projects yet">Drop a file above or type its path to start a project.</EmptyState> : null}
        <ul>
          {projects?.map((project) => (
            <li key={project.id}>
              <button
                type="button"
                className={`project-item${project.id === selectedId ? ' selected' : ''}`}
                onClick={() => onSelect(project.id)}
                data-testid="project-item"
              >
                <span className="project-name" title={project.sourcePath}>
                  {project.name}
                </span>
                <span className="project-meta small muted">
                  {project.isStill ? 'Photo' : formatDuration(project.durationSeconds)} · {project.width}×{project.height} ·{' '}
                  {PROJECTION_LABELS[project.projection]}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </nav>
    </aside>
  );
}
