import { TRPCClientError } from '@trpc/client';

/** What every client of the origin tells a person when the network (not the origin) failed. */
export const UNREACHABLE_MESSAGE = 'Cannot reach the server. Check your connection and try again.';

/**
 * A failed call outside tRPC (media uploads) or an answer that is not what a Spherecast origin
 * sends: the origin's own sentence and the HTTP status (0 when the network failed).
 */
export class OriginApiError extends Error {
  override name = 'OriginApiError';
  constructor(
    message: string,
    readonly status: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/**
 * HTTP status of a failed call (tRPC or upload); 0 when the request never got an answer (network
 * down, connection dropped, aborted).
 */
export function errorStatus(error: unknown): number {
  if (error instanceof OriginApiError) return error.status;
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    if (data && typeof data === 'object' && 'httpStatus' in data && typeof data.httpStatus === 'number') return data.httpStatus;
    // An answer that was not the origin's (see createOriginClient's fetch) keeps its status here.
    if (error.cause instanceof OriginApiError) return error.cause.status;
    return 0;
  }
  return 0;
}

/** A sentence to show a person for any failure of a call to the origin. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    if (error.cause instanceof OriginApiError) return error.cause.message;
    if (errorStatus(error) === 0) return UNREACHABLE_MESSAGE;
    return error.message;
  }
  if (error instanceof OriginApiError && error.status === 0) return UNREACHABLE_MESSAGE;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
