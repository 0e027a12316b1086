import { useEffect, useState } from 'react';
import { useAction, useAsync, useStudio } from '../state/studio-context.tsx';
import type { StudioOutputs } from '../trpc/client.ts';
import { EmptyState, ErrorNote, Spinner } from '../ui/feedback.tsx';

export type LadderView = NonNullable<StudioOutputs['ladder']['plan']>;
export type Rung = LadderView['rungs'][number];

/** Numeric rung fields the editor exposes, with their labels and limits (the engine validates again). */
const FIELDS = [
  { key: 'width', label: 'Width', min: 64, max: 16384, step: 2 },
  { key: 'height', label: 'Height', min: 32, max: 16384, step: 2 },
  { key: 'videoBitrateKbps', label: 'Video kbps', min: 100, max: 300000, step: 100 },
] as const satisfies readonly { key: keyof Rung; label: string; min: number; max: number; step: number }[];

type Draft = Record<(typeof FIELDS)[number]['key'], string> & { name: string };

function toDraft(rung: Rung): Draft {
  return { name: rung.name, width: String(rung.width), height: String(rung.height), videoBitrateKbps: String(rung.videoBitrateKbps) };
}

/** Client-side check of one row, so mistakes show next to the field before the engine is asked. */
function fieldError(draft: Draft, key: keyof Draft): string | null {
  if (key === 'name') return /^[A-Za-z0-9_-]{1,64}$/.test(draft.name) ? null : 'letters, digits, - and _';
  const field = FIELDS.find((candidate) => candidate.key === key);
  const value = Number(draft[key]);
  if (!field || !Number.isInteger(value)) return 'a whole number';
  if (value < field.min || value > field.max) return `${field.min}–${field.max}`;
  if ((key === 'width' || key === 'height') && value % 2 !== 0) return 'must be even';
  return null;
}

/** The ladder editor: the planned rungs, editable and validated, and the button that starts the transcode. */
export function LadderPanel({ projectId, isStill, onStarted }: { projectId: string; isStill: boolean; onStarted: () => void }) {
  const { client } = useStudio();
  const ladder = useAsync(() => client.ladder.plan.query({ id: projectId }), projectId);
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [dirty, setDirty] = useState(false);

  useEffect(() => {
    if (ladder.data) {
      setDrafts(ladder.data.rungs.map(toDraft));
      setDirty(false);
    }
  }, [ladder.data]);

  const invalid = drafts.some((draft) => (['name', ...FIELDS.map((field) => field.key)] as (keyof Draft)[]).some((key) => fieldError(draft, key)));

  const save = useAction(async () => {
    // The codec is left to the engine: it picks H.264 where the size allows, else HEVC.
    const rungs = drafts.map((draft) => ({
      name: draft.name,
      width: Number(draft.width),
      height: Number(draft.height),
      videoBitrateKbps: Number(draft.videoBitrateKbps),
    }));
    await client.ladder.save.mutate({ id: projectId, rungs });
    ladder.reload();
  });
  const reset = useAction(async () => {
    await client.ladder.reset.mutate({ id: projectId });
    ladder.reload();
  });
  const start = useAction(async () => {
    if (dirty && !(await save.run())) return;
    await client.jobs.start.mutate({ id: projectId });
    onStarted();
  });

  const update = (index: number, key: keyof Draft, value: string) => {
    setDrafts((previous) => previous.map((draft, i) => (i === index ? { ...draft, [key]: value } : draft)));
    setDirty(true);
  };

  return (
    <section className="panel" aria-label="Ladder">
      <header className="panel-header">
        <h3>{isStill ? 'Photo rungs' : 'Bitrate ladder'}</h3>
        {ladder.data?.edited ? <span className="badge">edited</span> : null}
        {ladder.data ? (
          <span className="small muted">
            {ladder.data.segmentSeconds.toFixed(2)} s segments · {Number(ladder.data.frameRate.toFixed(3))} fps
            {ladder.data.audio ? ` · audio ${ladder.data.audio.bitrateKbps} kbps` : ''}
          </span>
        ) : null}
      </header>
      {ladder.loading && !ladder.data ? <Spinner label="Planning the ladder…" /> : null}
      {ladder.error ? <ErrorNote title="The ladder could not be planned." message={ladder.error} onRetry={ladder.reload} /> : null}
      {ladder.data === null ? (
        <p className="small muted">A 360° photo is published as a few sizes of the same picture; the studio picks them from the photo's size.</p>
      ) : null}
      {ladder.data && drafts.length === 0 ? <EmptyState title="No rungs">This source is too small to transcode.</EmptyState> : null}
      {drafts.length > 0 ? (
        <table className="ladder-table" data-testid="ladder-table">
          <thead>
            <tr>
              <th>Name</th>
              {FIELDS.map((field) => (
                <th key={field.key}>{field.label}</th>
              ))}
              <th>Codec</th>
              <th aria-label="Remove" />
            </tr>
          </thead>
          <tbody>
            {drafts.map((draft, index) => (
              <tr key={index}>
                {(['name', ...FIELDS.map((field) => field.key)] as (keyof Draft)[]).map((key) => {
                  const error = fieldError(draft, key);
                  return (
                    <td key={key}>
                      <input
                        aria-label={`${key} of rung ${index + 1}`}
                        aria-invalid={error ? true : undefined}
                        inputMode={key === 'name' ? 'text' : 'numeric'}
                        value={draft[key]}
                        onChange={(event) => update(index, key, event.target.value)}
                        data-testid={`rung-${index}-${key}`}
                      />
                      {error ? <div className="field-error">{error}</div> : null}
                    </td>
                  );
                })}
                <td className="small muted">{dirty ? 'auto' : (ladder.data?.rungs[index]?.codec ?? 'auto')}</td>
                <td>
                  <button
                    type="button"
                    className="button small"
                    aria-label={`Remove rung ${index + 1}`}
                    disabled={drafts.length === 1}
                    onClick={() => {
                      setDrafts((previous) => previous.filter((_, i) => i !== index));
                      setDirty(true);
                    }}
                  >
                    ✕
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {save.error ? <ErrorNote title="The ladder was not saved." message={save.error} /> : null}
      {reset.error ? <ErrorNote message={reset.error} /> : null}
      {start.error ? <ErrorNote title="The transcode did not start." message={start.error} /> : null}
      <div className="row">
        <button type="button" className="button small" onClick={() => void save.run()} disabled={!dirty || invalid || save.busy}>
          Save ladder
        </button>
        <button
          type="button"
          className="button small"
          disabled={drafts.length === 0 || drafts.length >= 12}
          onClick={() => {
            const last = drafts[drafts.length - 1];
            if (!last) return;
            setDrafts([...drafts, { ...last, name: `${last.name}-copy` }]);
            setDirty(true);
          }}
        >
          Add rung
        </button>
        <button type="button" className="button small" onClick={() => void reset.run()} disabled={reset.busy || !ladder.data?.edited}>
          Back to plan
        </button>
        <span className="spacer" />
        <button
          type="button"
          className="button primary"
          onClick={() => void start.run()}
          disabled={invalid || start.busy || (!isStill && drafts.length === 0) || ladder.loading}
          data-testid="start-transcode"
        >
          {isStill ? 'Render photo rungs' : 'Start transcode'}
        </button>
      </div>
    </section>
  );
}
