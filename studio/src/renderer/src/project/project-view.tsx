import { useState } from 'react';
import type { Projection } from '@spherecast/shared';
import { CheckPanel } from '../check/check-panel.tsx';
import { JobsPanel } from '../jobs/jobs-panel.tsx';
import { LadderPanel } from '../ladder/ladder-panel.tsx';
import { SpherePreview } from '../preview/sphere-preview.tsx';
import type { PreviewFocus } from '../preview/sphere-preview.tsx';
import { PublishPanel } from '../publish/publish-panel.tsx';
import { useAction, useAsync, useStudio } from '../state/studio-context.tsx';
import type { StudioOutputs } from '../trpc/client.ts';
import { formatBytes, formatDuration } from '@spherecast/shared/format';
import { ErrorNote, PROJECTION_LABELS, Spinner } from '../ui/feedback.tsx';

export type ProjectDetail = StudioOutputs['projects']['get'];

const TABS = { check: 'Stitch check', ladder: 'Ladder', publish: 'Publish' } as const;
type Tab = keyof typeof TABS;

export function ProjectView({ projectId, onChanged, onRemoved }: { projectId: string; onChanged: () => void; onRemoved: () => void }) {
  const { client } = useStudio();
  const project = useAsync(() => client.projects.get.query({ id: projectId }), projectId);
  const [tab, setTab] = useState<Tab>('check');
  const [focus, setFocus] = useState<PreviewFocus | null>(null);

  const setProjection = useAction(async (projection: Projection) => {
    await client.projects.setProjection.mutate({ id: projectId, projection });
    project.reload();
    onChanged();
  });
  const remove = useAction(async () => {
    if (!window.confirm('Remove this project from the library? The source file stays where it is; transcode outputs are deleted.')) return;
    await client.projects.remove.mutate({ id: projectId });
    onRemoved();
  });

  if (project.error && !project.data) return <ErrorNote title="This project did not load." message={project.error} onRetry={project.reload} />;
  if (!project.data) return <Spinner label="Loading project…" />;
  const data = project.data;
  const { probe } = data;

  return (
    <div className="project">
      <header className="project-header">
        <div>
          <h1 data-testid="project-title">{data.name}</h1>
          <div className="small muted path" title={data.sourcePath}>
            {data.sourcePath}
          </div>
        </div>
        <button type="button" className="button small" onClick={() => void remove.run()} disabled={remove.busy}>
          Remove
        </button>
      </header>
      {remove.error ? <ErrorNote message={remove.error} /> : null}
      {setProjection.error ? <ErrorNote message={setProjection.error} /> : null}

      <div className="project-grid">
        <div className="project-main">
          <SpherePreview
            sourceUrl={data.sourceUrl}
            isStill={data.isStill}
            projection={data.projection}
            onProjectionChange={(value) => void setProjection.run(value)}
            focus={focus}
          />
          <dl className="facts" data-testid="facts">
            <Fact label="Frame" value={`${probe.video.width}×${probe.video.height}`} />
            <Fact label={data.isStill ? 'Type' : 'Duration'} value={data.isStill ? 'Photo' : formatDuration(probe.durationSeconds)} />
            {!data.isStill ? <Fact label="Frame rate" value={`${Number(probe.video.frameRate.toFixed(3))} fps`} /> : null}
            <Fact label="Codec" value={`${probe.video.codec}${probe.video.profile ? ` (${probe.video.profile})` : ''}`} />
            {!data.isStill ? (
              <Fact label="Audio" value={probe.audio ? `${probe.audio.codec} ${probe.audio.channelLayout ?? `${probe.audio.channels} ch`}` : 'none'} />
            ) : null}
            <Fact label="Size" value={formatBytes(probe.sizeBytes)} />
            <Fact
              label="Layout"
              value={`${PROJECTION_LABELS[data.projection]}${
                probe.projection.source === 'metadata'
                  ? ' (from metadata)'
                  : probe.projection.source === 'aspect'
                    ? ' (guessed from aspect)'
                    : ' (not detected)'
              }`}
            />
          </dl>
          {probe.projection.projection === null ? (
            <p className="note small">
              This file has no 360° metadata and its aspect is not 2:1, 1:1 or 4:1. Pick the layout it really uses above before transcoding.
            </p>
          ) : null}
        </div>
        <div className="project-side">
          <div className="tabs" role="tablist">
            {(Object.keys(TABS) as Tab[]).map((key) => (
              <button
                key={key}
                type="button"
                role="tab"
                aria-selected={tab === key}
                className={`tab${tab === key ? ' active' : ''}`}
                onClick={() => setTab(key)}
              >
                {TABS[key]}
              </button>
            ))}
          </div>
          <div className="tab-body">
            {tab === 'check' ? (
              <CheckPanel
                projectId={projectId}
                report={data.checkReport}
                isStill={data.isStill}
                onReport={project.reload}
                onJump={(finding) => setFocus({ key: Date.now(), ...finding })}
              />
            ) : null}
            {tab === 'ladder' ? <LadderPanel projectId={projectId} isStill={data.isStill} onStarted={() => undefined} /> : null}
            {tab === 'publish' ? <PublishPanel projectId={projectId} defaultTitle={data.name} /> : null}
          </div>
          <JobsPanel projectId={projectId} />
        </div>
      </div>
    </div>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
