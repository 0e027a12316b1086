import type { ReactNode } from 'react';

/** A failure shown in place, with what to do and an optional retry. */
export function ErrorNote({ title, message, onRetry }: { title?: string; message: string; onRetry?: () => void }) {
  return (
    <div className="note note-error" role="alert">
      <div>
        {title ? <strong>{title} </strong> : null}
        {message}
      </div>
      {onRetry ? (
        <button type="button" className="button small" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** A placeholder for a section with nothing in it yet, saying how to fill it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}

export const PROJECTION_LABELS = {
  'equirectangular-mono': 'Mono 360°',
  'stereo-top-bottom': 'Stereo top/bottom',
  'stereo-left-right': 'Stereo left/right',
} as const;
