// The origin's API as the player sees it: tRPC over /trpc typed from the origin's AppRouter
// (type-only import, nothing of the server is bundled), plus REST calls under /api.
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@spherecast/origin';
import { viewerId } from './viewer-id.ts';

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

/**
 * The sign-in token of this tab, sent as a bearer token. The origin also sets an httpOnly cookie,
 * which is what keeps a session across reloads; the header covers browsers that block the cookie.
 */
let bearer: string | null = null;
export function setBearerToken(token: string | null): void {
  bearer = token;
}

function authHeaders(): Record<string, string> {
  const headers: Record<string, string> = { 'x-spherecast-viewer': viewerId() };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  return headers;
}

export const api = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      url: '/trpc',
      headers: authHeaders,
      fetch: (url, init) => fetch(url, { ...init, credentials: 'same-origin' }),
    }),
  ],
});

/** An API failure with the origin's own sentence and the HTTP status (0 when the network failed). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** REST under /api, for the few calls made outside tRPC (beacons, the streaming session). */
export async function rest<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      credentials: 'same-origin',
      headers: { ...authHeaders(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError('Cannot reach the server. Check your connection and try again.', 0);
  }
  const text = await response.text();
  const json: unknown = text ? safeJson(text) : null;
  if (!response.ok) {
    const message = json && typeof json === 'object' && 'message' in json && typeof json.message === 'string' ? json.message : `The server answered ${response.status}.`;
    throw new ApiError(message, response.status);
  }
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** HTTP status of a failed call (tRPC or REST); 0 for network failures. */
export function errorStatus(error: unknown): number {
  if (error instanceof ApiError) return error.status;
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    if (data && typeof data === 'object' && 'httpStatus' in data && typeof data.httpStatus === 'number') return data.httpStatus;
    return 0;
  }
  return 0;
}

/** A sentence to show the viewer for any failure. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    if (errorStatus(error) === 0) return 'Cannot reach the server. Check your connection and try again.';
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
