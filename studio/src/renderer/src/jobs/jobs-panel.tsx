import { useStudio, useAction } from '../state/studio-context.tsx';
import type { JobSnapshot } from '../state/studio-context.tsx';
import { formatDuration } from '@spherecast/shared/format';
import { EmptyState, ErrorNote } from '../ui/feedback.tsx';

const STATE_LABELS = {
  queued: 'Waiting',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
} as const satisfies Record<JobSnapshot['state'], string>;

/** The job queue of one project: progress, ETA, cancel, and what a failure means. */
export function JobsPanel({ projectId }: { projectId: string }) {
  const { client, jobs, jobsConnectionError } = useStudio();
  const cancel = useAction((jobId: string) => client.jobs.cancel.mutate({ jobId }));
  const list = [...jobs.values()].filter((job) => job.projectId === projectId).sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  return (
    <section className="panel" aria-label="Jobs">
      <header className="panel-header">
        <h3>Jobs</h3>
      </header>
      {jobsConnectionError ? <ErrorNote title="Live job updates are interrupted." message={jobsConnectionError} /> : null}
      {cancel.error ? <ErrorNote message={cancel.error} /> : null}
      {list.length === 0 ? (
        <EmptyState title="No jobs yet">Start a transcode from the ladder, then publish its result.</EmptyState>
      ) : (
        <ul className="job-list">
          {list.map((job) => (
            <li key={job.id} className={`job job-${job.state}`} data-testid="job" data-state={job.state} data-kind={job.kind}>
              <div className="job-line">
                <span className="job-label">{job.label}</span>
                <span className={`badge badge-${job.state}`} data-testid="job-state">
                  {STATE_LABELS[job.state]}
                </span>
              </div>
              {job.state === 'running' || job.state === 'queued' ? (
                <div className="job-progress">
                  <progress value={job.progress ?? undefined} max={1} data-testid="job-progress" />
                  <span className="small muted">
                    {job.progress === null ? '…' : `${Math.floor(job.progress * 100)}%`}
                    {job.etaSeconds !== null && job.etaSeconds > 0 ? ` · ${formatDuration(job.etaSeconds)} left` : ''}
                  </span>
                  <button type="button" className="button small danger" onClick={() => void cancel.run(job.id)} disabled={cancel.busy} data-testid="job-cancel">
                    Cancel
                  </button>
                </div>
              ) : null}
              {job.step && job.state === 'running' ? <div className="small muted">{job.step}</div> : null}
              {job.error ? (
                <div className="small error-text">
                  {job.error.message}
                  {job.error.retryable ? ' You can start it again.' : ''}
                </div>
              ) : null}
              {job.state === 'done' && job.output?.outputDir ? (
                <div className="small muted" title={job.output.outputDir}>
                  Output: <code>{job.output.outputDir}</code>
                </div>
              ) : null}
              {job.state === 'done' && job.output?.contentUrl ? (
                <div className="small">
                  Published:{' '}
                  <a href={job.output.contentUrl} target="_blank" rel="noreferrer" data-testid="published-link">
                    {job.output.contentUrl}
                  </a>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
