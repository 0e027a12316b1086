import type { MediaErrorCode } from '@spherecast/shared/media';

/** What the CLI's exit status means (also printed by `--help`). */
export const EXIT = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  media: 3,
  network: 4,
  cancelled: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_HELP = `Exit codes:
  0    success (check: no check failed; warnings allowed)
  1    check: at least one check failed
  2    usage error (unknown command or option, invalid value)
  3    input or media error (file missing or unreadable, ffmpeg failed, output exists)
  4    network or origin error (unreachable, refused, rejected)
  130  cancelled (Ctrl-C)`;

export function exitCodeFor(code: MediaErrorCode): ExitCode {
  if (code === 'CANCELLED') return EXIT.cancelled;
  if (code === 'INVALID_OPTIONS') return EXIT.usage;
  if (code.startsWith('ORIGIN_') || code === 'UPLOAD_INTEGRITY') return EXIT.network;
  return EXIT.media;
}
