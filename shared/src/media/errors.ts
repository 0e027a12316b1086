/**
 * Errors are data: every failure of the media engine carries a stable `code`, a sentence that tells
 * the user what to do, and whether it is fatal (the job cannot continue) or retryable (the same call
 * may succeed later, e.g. a network hiccup or a 5xx from the origin).
 */

export const MEDIA_ERROR = {
  FFMPEG_NOT_FOUND: { fatal: true, retryable: false },
  FFPROBE_NOT_FOUND: { fatal: true, retryable: false },
  INPUT_NOT_FOUND: { fatal: true, retryable: false },
  INPUT_UNREADABLE: { fatal: true, retryable: false },
  NO_VIDEO_STREAM: { fatal: true, retryable: false },
  NOT_SPHERICAL: { fatal: true, retryable: false },
  FFMPEG_FAILED: { fatal: true, retryable: false },
  CANCELLED: { fatal: true, retryable: false },
  OUTPUT_EXISTS: { fatal: true, retryable: false },
  OUTPUT_WRITE_FAILED: { fatal: true, retryable: false },
  MP4_MALFORMED: { fatal: true, retryable: false },
  INVALID_OPTIONS: { fatal: true, retryable: false },
  LIVE_TOO_SLOW: { fatal: true, retryable: false },
  ORIGIN_UNREACHABLE: { fatal: false, retryable: true },
  ORIGIN_SERVER_ERROR: { fatal: false, retryable: true },
  ORIGIN_AUTH_FAILED: { fatal: true, retryable: false },
  ORIGIN_REJECTED: { fatal: true, retryable: false },
  UPLOAD_INTEGRITY: { fatal: true, retryable: false },
} as const satisfies Record<string, { fatal: boolean; retryable: boolean }>;

export type MediaErrorCode = keyof typeof MEDIA_ERROR;

export interface MediaErrorInit {
  /** Lower-level error that caused this one. */
  cause?: unknown;
  /** Last lines ffmpeg/ffprobe wrote to stderr, when a child process failed. */
  stderrTail?: string;
  /** Overrides the code's default. */
  retryable?: boolean;
  /** HTTP status, for origin errors. */
  status?: number;
}

export class MediaError extends Error {
  override readonly name = 'MediaError';
  readonly code: MediaErrorCode;
  readonly fatal: boolean;
  readonly retryable: boolean;
  readonly stderrTail: string | undefined;
  readonly status: number | undefined;

  constructor(code: MediaErrorCode, message: string, init: MediaErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.fatal = MEDIA_ERROR[code].fatal;
    this.retryable = init.retryable ?? MEDIA_ERROR[code].retryable;
    this.stderrTail = init.stderrTail;
    this.status = init.status;
  }

  /** A plain object for `--json` output and IPC. */
  toJSON(): { code: MediaErrorCode; message: string; fatal: boolean; retryable: boolean; stderrTail?: string; status?: number } {
    return {
      code: this.code,
      message: this.message,
      fatal: this.fatal,
      retryable: this.retryable,
      ...(this.stderrTail ? { stderrTail: this.stderrTail } : {}),
      ...(this.status === undefined ? {} : { status: this.status }),
    };
  }
}

export function isMediaError(error: unknown): error is MediaError {
  return error instanceof MediaError;
}

/** Wraps anything thrown into a MediaError, keeping MediaErrors as they are. */
export function toMediaError(error: unknown, fallback: MediaErrorCode, message: string): MediaError {
  if (error instanceof MediaError) return error;
  return new MediaError(fallback, `${message}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
