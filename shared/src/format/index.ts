// Formatting for people: one behaviour for the player, the studio and the CLI. Browser-safe (no Node imports).
export { formatBytes, UNKNOWN_BYTES } from './format-bytes.ts';
export { formatDuration, UNKNOWN_DURATION } from './format-duration.ts';
