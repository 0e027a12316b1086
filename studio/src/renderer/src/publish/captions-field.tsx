import { useRef, useState } from 'react';
import { CAPTION_LIMITS, captionUploadSchema, parseWebVtt, type CaptionUpload } from '@spherecast/shared';
import { ErrorNote } from '../ui/feedback.tsx';

/** A caption file chosen in the form, checked with the origin's own schema before it is sent. */
export type ChosenCaption = CaptionUpload & { fileName: string; cues: number };

/**
 * Captions for the publish form: language (BCP 47), label and a WebVTT file per row. Each file is read
 * and checked here with the same schema the origin applies, so a broken file is reported before the
 * upload, naming the line to fix.
 */
export function CaptionsField({ captions, onChange }: { captions: ChosenCaption[]; onChange: (captions: ChosenCaption[]) => void }) {
  const [lang, setLang] = useState('');
  const [label, setLabel] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement | null>(null);

  const add = async (): Promise<void> => {
    setError(null);
    if (!file) {
      setError('Choose a WebVTT (.vtt) file.');
      return;
    }
    const parsed = captionUploadSchema.safeParse({ lang, label, vtt: await file.text() });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setError(`${String(issue?.path[0] ?? 'file')}: ${issue?.message ?? 'not valid'}`);
      return;
    }
    if (captions.some((c) => c.lang === parsed.data.lang)) {
      setError(`${parsed.data.lang} is already listed; remove it first to use another file.`);
      return;
    }
    onChange([...captions, { ...parsed.data, fileName: file.name, cues: parseWebVtt(parsed.data.vtt).length }]);
    setLang('');
    setLabel('');
    setFile(null);
    if (fileInput.current) fileInput.current.value = '';
  };

  return (
    <fieldset className="captions-field" data-testid="captions-field" style={{ border: 'none', padding: 0, margin: 0 }}>
      <legend className="small">Captions (optional)</legend>
      {captions.length > 0 ? (
        <ul className="caption-list" aria-label="Captions to add">
          {captions.map((caption) => (
            <li key={caption.lang} data-testid="caption-item">
              <span>
                <strong>{caption.label}</strong> ({caption.lang}) · {caption.fileName} · {caption.cues} cues
              </span>{' '}
              <button
                type="button"
                className="link-button"
                aria-label={`Remove ${caption.label} captions`}
                onClick={() => onChange(captions.filter((c) => c.lang !== caption.lang))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {captions.length < CAPTION_LIMITS.tracks ? (
        <div className="form-row">
          <label>
            Language <span className="muted small">(BCP 47, like en or fr-CA)</span>
            <input name="captionLang" value={lang} placeholder="en" maxLength={CAPTION_LIMITS.languageMax} onChange={(e) => setLang(e.target.value)} />
          </label>
          <label>
            Caption label
            <input name="captionLabel" value={label} placeholder="English" maxLength={CAPTION_LIMITS.labelMax} onChange={(e) => setLabel(e.target.value)} />
          </label>
          <label>
            WebVTT file
            <input ref={fileInput} name="captionFile" type="file" accept=".vtt,text/vtt" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </label>
          <button type="button" className="button" onClick={() => void add()}>
            Add captions
          </button>
        </div>
      ) : null}
      {error ? <ErrorNote title="Those captions cannot be added." message={error} /> : null}
    </fieldset>
  );
}
