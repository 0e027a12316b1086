// Captions on the upload page: a language, a label and a WebVTT file per row, checked in the page with
// the origin's own schema (shared/src/api/captions.ts, which runs the shared WebVTT reader), so a broken
// file is refused before anything is sent. The rows wait in the page until the video is ready; the
// upload page then sends each one (PUT /api/content/{id}/captions/{lang}) and shows how it went.
import { useRef, useState } from 'react';
import { CAPTION_LIMITS, captionUploadSchema, parseWebVtt, type CaptionUpload } from '@spherecast/shared';

export const CAPTION_ROW_STATES = ['queued', 'sending', 'sent', 'failed'] as const;
export type CaptionRowState = (typeof CAPTION_ROW_STATES)[number];

/** A caption file chosen in the form, and where it is on its way to the origin. */
export type CaptionRow = CaptionUpload & { fileName: string; cues: number; state: CaptionRowState; error: string | null };

const FIELD_NAMES: Record<string, string> = { lang: 'Language', label: 'Caption label', vtt: 'WebVTT file' };
const STATE_LABELS: Record<CaptionRowState, string> = {
  queued: 'queued until the video is ready',
  sending: 'sending',
  sent: 'added',
  failed: 'failed',
};

/** Reads and checks one row, as the origin will; returns the row or what to fix. */
export async function readCaptionRow(input: { lang: string; label: string; file: File | null }, rows: readonly CaptionRow[]): Promise<CaptionRow | string> {
  if (!input.file) return 'Choose a WebVTT (.vtt) file.';
  const parsed = captionUploadSchema.safeParse({ lang: input.lang, label: input.label, vtt: await input.file.text() });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'vtt');
    return `${FIELD_NAMES[field] ?? field}: ${issue?.message ?? 'not valid'}`;
  }
  if (rows.some((row) => row.lang === parsed.data.lang)) return `${parsed.data.lang} is already listed; remove it first to use another file.`;
  return { ...parsed.data, fileName: input.file.name, cues: parseWebVtt(parsed.data.vtt).length, state: 'queued', error: null };
}

/** The rows with their state; `onRemove` while they can still be taken back, `onRetry` for failed ones. */
export function CaptionRows({ rows, onRemove, onRetry }: { rows: readonly CaptionRow[]; onRemove?: (lang: string) => void; onRetry?: (lang: string) => void }) {
  if (rows.length === 0) return null;
  return (
    <ul className="caption-rows" aria-label="Captions">
      {rows.map((row) => (
        <li key={row.lang} data-testid="caption-row" data-lang={row.lang} data-state={row.state}>
          <span>
            <strong>{row.label}</strong> ({row.lang}) · {row.fileName} · {row.cues} {row.cues === 1 ? 'cue' : 'cues'} ·{' '}
            <span className={`caption-state caption-state-${row.state}`}>{STATE_LABELS[row.state]}</span>
            {row.error ? <span className="form-error">: {row.error}</span> : null}
          </span>
          {onRemove && row.state === 'queued' ? (
            <button type="button" className="link-button" aria-label={`Remove ${row.label} captions`} onClick={() => onRemove(row.lang)}>
              Remove
            </button>
          ) : null}
          {onRetry && row.state === 'failed' ? (
            <button type="button" className="link-button" aria-label={`Send ${row.label} captions again`} onClick={() => onRetry(row.lang)}>
              Try again
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** The captions part of the upload form: the rows chosen so far, and one row to add. */
export function CaptionsField({ rows, onChange }: { rows: readonly CaptionRow[]; onChange: (rows: CaptionRow[]) => void }) {
  const [lang, setLang] = useState('');
  const [label, setLabel] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement | null>(null);

  const add = async (): Promise<void> => {
    setError(null);
    const row = await readCaptionRow({ lang, label, file }, rows);
    if (typeof row === 'string') {
      setError(row);
      return;
    }
    onChange([...rows, row]);
    setLang('');
    setLabel('');
    setFile(null);
    if (fileInput.current) fileInput.current.value = '';
  };

  return (
    <fieldset className="upload-captions" data-testid="captions-field">
      <legend>Captions (optional, WebVTT)</legend>
      <CaptionRows rows={rows} onRemove={(removed) => onChange(rows.filter((row) => row.lang !== removed))} />
      {rows.length < CAPTION_LIMITS.tracks ? (
        <div className="upload-caption-add">
          <label>
            <span>Language (BCP 47, like en or fr-CA)</span>
            <input name="captionLang" value={lang} placeholder="en" maxLength={CAPTION_LIMITS.languageMax} onChange={(e) => setLang(e.target.value)} />
          </label>
          <label>
            <span>Caption label</span>
            <input name="captionLabel" value={label} placeholder="English" maxLength={CAPTION_LIMITS.labelMax} onChange={(e) => setLabel(e.target.value)} />
          </label>
          <label>
            <span>WebVTT file</span>
            <input ref={fileInput} name="captionFile" type="file" accept=".vtt,text/vtt" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </label>
          <button type="button" className="button button-ghost" onClick={() => void add()}>
            Add captions
          </button>
        </div>
      ) : null}
      {error ? (
        <p className="form-error" role="alert" data-testid="caption-error">
          Those captions cannot be added. {error}
        </p>
      ) : null}
    </fieldset>
  );
}
