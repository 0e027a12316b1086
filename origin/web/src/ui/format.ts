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
