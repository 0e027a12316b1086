const UNITS = ['kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** What {@link formatBytes} shows for a size that is not known (null, NaN, negative). */
export const UNKNOWN_BYTES = '—';

/**
 * A byte count for people, in decimal (SI) units as network speeds and disk sizes are quoted:
 * 999 → "999 B", 1536 → "1.5 kB", 12_345_678 → "12 MB". One decimal below 10 of a unit, whole
 * numbers above; a value that rounds up to 1000 moves to the next unit (999_960 → "1.0 MB", never "1000 kB").
 * Browser-safe. Unknown sizes (null, undefined, NaN, negative) show {@link UNKNOWN_BYTES}.
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return UNKNOWN_BYTES;
  const whole = Math.round(bytes);
  if (whole < 1000) return `${whole} B`;
  let value = bytes;
  for (const [index, unit] of UNITS.entries()) {
    value /= 1000;
    // Round first, then decide: 9.96 is "10", not "10.0"; 999.6 is the next unit's "1.0".
    const text = value < 9.95 ? value.toFixed(1) : String(Math.round(value));
    if (Number(text) < 1000 || index === UNITS.length - 1) return `${text} ${unit}`;
  }
  return UNKNOWN_BYTES; // unreachable: the last unit always returns
}
