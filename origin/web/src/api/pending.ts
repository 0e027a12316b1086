// Procedures the origin's AppRouter does not export yet, called over the same tRPC HTTP protocol with
// their shapes taken from the shared schemas. Each moves to the typed `api` client once the origin has it.
import type { ContentSummary } from '@spherecast/shared';
import { ApiError } from './client.ts';
import { viewerId } from './viewer-id.ts';

/** What a schema type looks like after JSON: dates arrive as ISO strings. */
export type Jsonify<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Jsonify<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonify<T[K]> }
      : T;

export type Page<T> = { items: Jsonify<T>[]; nextCursor: string | null };

async function call<T>(kind: 'query' | 'mutation', path: string, input: unknown): Promise<T> {
  const url = kind === 'query' ? `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}` : `/trpc/${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: kind === 'query' ? 'GET' : 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-spherecast-viewer': viewerId() },
      ...(kind === 'mutation' ? { body: JSON.stringify(input) } : {}),
    });
  } catch {
    throw new ApiError('Cannot reach the server. Check your connection and try again.', 0);
  }
  const body = (await response.json().catch(() => null)) as
    | { result?: { data?: unknown }; error?: { message?: string; data?: { httpStatus?: number } } }
    | null;
  if (!response.ok || !body || body.error) {
    throw new ApiError(body?.error?.message ?? `The server answered ${response.status}.`, body?.error?.data?.httpStatus ?? response.status);
  }
  return body.result?.data as T;
}

export const pending = {
  /** The signed-in user's liked content, newest like first. Not in the origin yet (asked for). */
  myLikes: (cursor?: string) => call<Page<ContentSummary>>('query', 'engagement.myLikes', { cursor, limit: 24 }),
};

export type ContentCard = Jsonify<ContentSummary>;
