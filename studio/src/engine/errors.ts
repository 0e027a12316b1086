import { TRPCError } from '@trpc/server';

/**
 * Every failure the studio reports, with the tRPC code it maps to and whether trying again can help.
 * The message given with each error is a sentence that tells the user what to do.
 */
export const STUDIO_ERRORS = {
  SOURCE_NOT_FOUND: { trpc: 'NOT_FOUND', retryable: false },
  SOURCE_NOT_A_FILE: { trpc: 'BAD_REQUEST', retryable: false },
  SOURCE_UNREADABLE: { trpc: 'BAD_REQUEST', retryable: false },
  PROBE_FAILED: { trpc: 'UNPROCESSABLE_CONTENT', retryable: false },
  PROJECT_NOT_FOUND: { trpc: 'NOT_FOUND', retryable: false },
  JOB_NOT_FOUND: { trpc: 'NOT_FOUND', retryable: false },
  JOB_NOT_CANCELLABLE: { trpc: 'CONFLICT', retryable: false },
  LADDER_INVALID: { trpc: 'BAD_REQUEST', retryable: false },
  NOTHING_TO_PUBLISH: { trpc: 'PRECONDITION_FAILED', retryable: false },
  NOT_SIGNED_IN: { trpc: 'UNAUTHORIZED', retryable: false },
  ORIGIN_UNREACHABLE: { trpc: 'BAD_GATEWAY', retryable: true },
  ORIGIN_REJECTED: { trpc: 'BAD_REQUEST', retryable: false },
  MEDIA_ENGINE_FAILED: { trpc: 'INTERNAL_SERVER_ERROR', retryable: true },
  LIVE_BUSY: { trpc: 'CONFLICT', retryable: false },
  LIVE_NOT_ON: { trpc: 'PRECONDITION_FAILED', retryable: false },
} as const satisfies Record<string, { trpc: TRPCError['code']; retryable: boolean }>;

export type StudioErrorCode = keyof typeof STUDIO_ERRORS;

/** What the renderer receives in `error.data.studio` for a studio failure. */
export interface StudioErrorData {
  code: StudioErrorCode;
  retryable: boolean;
}

/** A studio failure as data: a code, a sentence telling the user what to do, and whether a retry can help. */
export class StudioError extends TRPCError {
  readonly studioCode: StudioErrorCode;
  readonly retryable: boolean;

  constructor(code: StudioErrorCode, message: string, options: { cause?: unknown } = {}) {
    super({ code: STUDIO_ERRORS[code].trpc, message, cause: options.cause });
    this.name = 'StudioError';
    this.studioCode = code;
    this.retryable = STUDIO_ERRORS[code].retryable;
  }

  toData(): StudioErrorData {
    return { code: this.studioCode, retryable: this.retryable };
  }
}

/** The human sentence of any thrown value. */
export function errorMessage(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}
