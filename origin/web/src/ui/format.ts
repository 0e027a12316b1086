/** 1536 → "1.5 kB" (decimal units, as network speeds are quoted). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1000) return `${Math.max(0, Math.round(bytes || 0))} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–:––';
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** "3 days ago" style, for dates as ISO strings (how they arrive over JSON) or Date objects. */
export function timeAgo(value: string | Date, now = Date.now()): string {
  const then = typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (!Number.isFinite(then)) return '';
  const seconds = Math.round((now - then) / 1000);
  if (seconds < 45) return 'just now';
  const steps: [number, Intl.RelativeTimeFormatUnit][] = [
    [60, 'second'],
    [60, 'minute'],
    [24, 'hour'],
    [7, 'day'],
    [4.35, 'week'],
    [12, 'month'],
    [Number.POSITIVE_INFINITY, 'year'],
  ];
  let amount = seconds;
  for (const [size, unit] of steps) {
    if (Math.abs(amount) < size) return new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(-Math.round(amount), unit);
    amount /= size;
  }
  return '';
}

export function formatCount(n: number, singular: string, plural = `${singular}s`): string {
  const short = n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 10_000 ? `${Math.round(n / 1000)}k` : n.toLocaleString('en');
  return `${short} ${n === 1 ? singular : plural}`;
}

export const PROJECTION_LABELS = {
  'equirectangular-mono': '360° mono',
  'stereo-top-bottom': '3D 360° (top-bottom)',
  'stereo-left-right': '3D 360° (side-by-side)',
} as const;
