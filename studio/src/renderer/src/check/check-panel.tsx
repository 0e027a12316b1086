import { useStudio, useAction } from '../state/studio-context.tsx';
import type { StudioOutputs } from '../trpc/client.ts';
import { EmptyState, ErrorNote, Spinner } from '../ui/feedback.tsx';

export type CheckReport = NonNullable<StudioOutputs['projects']['get']['checkReport']>;
type Status = CheckReport['status'];

const RANK = { pass: 0, warn: 1, fail: 2 } as const satisfies Record<Status, number>;
const STATUS_BADGE = { pass: 'ok', warn: 'warning', fail: 'error' } as const satisfies Record<Status, string>;
const STATUS_TEXT = {
  pass: 'No stitching problems found',
  warn: 'Worth a look before publishing',
  fail: 'Stitching problems found',
} as const satisfies Record<Status, string>;

interface CheckPanelProps {
  projectId: string;
  report: CheckReport | null;
  isStill: boolean;
  onReport: () => void;
  onJump: (target: { yaw: number; pitch: number; timeSeconds: number | null }) => void;
}

/** Runs the stitch check and lists its findings; each finding turns the preview to where it is. */
export function CheckPanel({ projectId, report, isStill, onReport, onJump }: CheckPanelProps) {
  const { client } = useStudio();
  const run = useAction(async () => {
    const result = await client.check.run.mutate({ id: projectId });
    onReport();
    return result;
  });

  return (
    <section className="panel" aria-label="Stitch check">
      <header className="panel-header">
        <h3>Stitch check</h3>
        <button type="button" className="button small primary" onClick={() => void run.run()} disabled={run.busy} data-testid="run-check">
          {run.busy ? 'Checking…' : report ? 'Check again' : 'Run check'}
        </button>
      </header>
      {run.busy ? <Spinner label={`Sampling ${isStill ? 'the photo' : 'frames'} with ffmpeg and measuring the seam and poles…`} /> : null}
      {run.error ? <ErrorNote title="The check did not finish." message={run.error} onRetry={() => void run.run()} /> : null}
      {!report && !run.busy ? (
        <EmptyState title="Not checked yet">
          The check looks for a visible seam at the 0/360° wrap (exposure, colour, misalignment) and for holes or smearing at the poles.
        </EmptyState>
      ) : null}
      {report ? (
        <div data-testid="check-report">
          <div className="summary">
            <span className={`badge badge-${STATUS_BADGE[report.status]}`} data-testid="check-verdict">
              {STATUS_TEXT[report.status]}
            </span>
            <span className="small muted">
              {report.width}×{report.height} · {isStill ? 'photo' : `${report.sampleTimes.length} frame${report.sampleTimes.length === 1 ? '' : 's'} sampled`} ·{' '}
              {new Date(report.checkedAt).toLocaleString()}
            </span>
          </div>
          <ul className="findings">
            {[...report.checks]
              .sort((a, b) => RANK[b.status] - RANK[a.status])
              .map((check) => (
                <li key={check.id} className={`finding severity-${check.status}`} data-testid="finding" data-status={check.status}>
                  <div>
                    <div className="row">
                      <span className={`badge badge-${STATUS_BADGE[check.status]}`}>{check.status}</span>
                      <strong className="small">{check.id}</strong>
                    </div>
                    <div className="small">{check.message}</div>
                  </div>
                  {check.target ? (
                    <button
                      type="button"
                      className="button small"
                      onClick={() => check.target && onJump(check.target)}
                      data-testid="finding-jump"
                      title="Turn the preview to this spot"
                    >
                      Show
                    </button>
                  ) : null}
                </li>
              ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
