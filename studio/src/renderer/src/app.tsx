import { useEffect, useRef, useState } from 'react';
import { LibraryPanel } from './library/library-panel.tsx';
import { LivePanel } from './live/live-panel.tsx';
import { ToursView } from './tours/tours-view.tsx';
import { StudioAlertBanner } from './alerts/alert-banner.tsx';
import { ProjectView } from './project/project-view.tsx';
import { useAsync, useStudio } from './state/studio-context.tsx';
import { EmptyState, ErrorNote } from './ui/feedback.tsx';

/** Library on the left, the selected project on the right. The selection lives in the URL hash. */
export function App() {
  const { client, transport } = useStudio();
  const projects = useAsync(() => client.projects.list.query(), 'projects');
  const info = useAsync(() => client.app.info.query(), 'info');
  const ffmpeg = info.data?.ffmpeg;
  const [selectedId, setSelectedId] = useState<string | null>(
    () => window.location.hash.replace(/^#\/?project\//, '').replace(/^#\/?(live|tours)$/, '') || null,
  );
  const [view, setView] = useState<'library' | 'live' | 'tours'>(() => {
    const named = /^#\/?(live|tours)$/.exec(window.location.hash)?.[1];
    return named === 'live' || named === 'tours' ? named : 'library';
  });

  useEffect(() => {
    window.location.hash = view !== 'library' ? `/${view}` : selectedId ? `/project/${selectedId}` : '';
  }, [selectedId, view]);

  // On the first load, a selection from the URL that is no longer in the library falls back to the first
  // project; later, only an empty selection does (a just-added project may not be in the list yet).
  const checkedInitialSelection = useRef(false);
  useEffect(() => {
    if (!projects.data) return;
    const known = projects.data.some((project) => project.id === selectedId);
    if (selectedId === null || (!checkedInitialSelection.current && !known)) setSelectedId(projects.data[0]?.id ?? null);
    checkedInitialSelection.current = true;
  }, [projects.data, selectedId]);

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ◎
          </span>
          Spherecast Studio
        </div>
        <nav className="views" aria-label="Views">
          <button
            type="button"
            className={`button small${view === 'library' ? ' primary' : ''}`}
            aria-pressed={view === 'library'}
            onClick={() => setView('library')}
          >
            Library
          </button>
          <button type="button" className={`button small${view === 'live' ? ' primary' : ''}`} aria-pressed={view === 'live'} onClick={() => setView('live')}>
            Live
          </button>
          <button
            type="button"
            className={`button small${view === 'tours' ? ' primary' : ''}`}
            aria-pressed={view === 'tours'}
            onClick={() => setView('tours')}
          >
            Tours
          </button>
        </nav>
        <span className="muted small" title={info.data ? `Data folder: ${info.data.dataDir}` : undefined}>
          {transport === 'ipc' ? 'Desktop' : 'Browser mode'}
        </span>
      </header>
      <StudioAlertBanner />
      {info.error ? <ErrorNote title="The studio engine is not answering." message={info.error} onRetry={info.reload} /> : null}
      {ffmpeg && 'error' in ffmpeg ? (
        <ErrorNote title="ffmpeg is missing: nothing can be probed or transcoded." message={ffmpeg.error} onRetry={info.reload} />
      ) : null}
      {view === 'live' ? (
        <main className="main">
          <LivePanel />
        </main>
      ) : null}
      {view === 'tours' ? (
        <main className="main">
          <ToursView />
        </main>
      ) : null}
      <div className="workspace" hidden={view !== 'library'}>
        <LibraryPanel
          projects={projects.data}
          loading={projects.loading}
          error={projects.error}
          selectedId={selectedId}
          onSelect={setSelectedId}
          onAdded={(id) => {
            setSelectedId(id);
            projects.reload();
          }}
          onRetry={projects.reload}
        />
        <main className="main">
          {selectedId ? (
            <ProjectView
              key={selectedId}
              projectId={selectedId}
              onChanged={projects.reload}
              onRemoved={() => {
                setSelectedId(null);
                projects.reload();
              }}
            />
          ) : (
            <EmptyState title="Open a 360° video or photo">
              <p>
                Drop a file on the library, choose one, or type its path. The studio probes it, shows it in 360°, checks its stitching, and transcodes and
                publishes it to your origin.
              </p>
            </EmptyState>
          )}
        </main>
      </div>
    </div>
  );
}
