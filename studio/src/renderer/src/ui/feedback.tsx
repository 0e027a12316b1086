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

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export const PROJECTION_LABELS = {
  'equirectangular-mono': 'Mono 360°',
  'stereo-top-bottom': 'Stereo top/bottom',
  'stereo-left-right': 'Stereo left/right',
} as const;
