/** What {@link formatDuration} shows for a duration that is not known (null, NaN, negative). */
export const UNKNOWN_DURATION = '–:––';

/**
 * A duration or playback position as a clock: 75 → "1:15", 3725 → "1:02:05", 0 → "0:00".
 * Fractions are dropped (floored), as media players show time, so a position and the duration it
 * runs up to read the same at the end. Browser-safe. Unknown values (null, undefined, NaN, ±Infinity
 * as a live stream's duration, negative) show {@link UNKNOWN_DURATION}.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return UNKNOWN_DURATION;
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
