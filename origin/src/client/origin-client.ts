// The one client of the origin's API: tRPC typed from the origin's AppRouter (a type-only import,
// so nothing of the server is bundled) plus the media upload route, which is plain HTTP because its
// body is the file itself. Browser-safe: fetch only, no node: imports.
import { createTRPCClient, httpBatchLink, httpLink, type TRPCClient } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { authResultSchema, LIMITS, meSchema, stagedFileSchema, type AuthResult, type LoginInput } from '@spherecast/shared';
import { z } from 'zod';
import type { AppRouter } from '../edges/app-router.ts';
import { OriginApiError, UNREACHABLE_MESSAGE } from './errors.ts';

export type { AppRouter };
/** Inputs of every procedure, as a caller writes them. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure, as they arrive over HTTP (dates are ISO strings: the origin uses no transformer). */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
/** What `PUT /media/{contentId}/{path}` answers: the staged file as the origin stored it. */
export type StagedFile = z.infer<typeof stagedFileSchema>;

/** A fetch the client can use: the global one, or a wrapper (credentials, test hooks). */
export type OriginFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface OriginClientOptions {
  /**
   * Where the origin is, e.g. `https://spherecast.example.org`; `''` means the page's own origin
   * (the player). A trailing slash is ignored.
   */
  baseUrl: string;
  /** The sign-in token to send as `Authorization: Bearer …`, read before every request. Default: none. */
  token?: () => string | null | undefined;
  /** Extra headers for every request (e.g. the player's anonymous viewer id). */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** The fetch to use. Default: the global fetch. */
  fetch?: OriginFetch;
  /** Batch concurrent tRPC calls into one request. Default true (the player); a publisher sends one call at a time. */
  batch?: boolean;
}

export interface MediaUploadInput {
  contentId: string;
  /** Path inside the content's folder, e.g. `v0/seg-1.m4s`; each segment is URL-encoded here. */
  path: string;
  /**
   * The file. A stream or async iterable is sent as it is read (with `size` as its Content-Length);
   * in a browser prefer a Blob.
   */
  body: Blob | ArrayBuffer | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
  /** Byte length of a streamed body; the origin refuses a too-large file before reading it. */
  size?: number;
  signal?: AbortSignal;
}

export interface OriginClient {
  /** The origin's base URL without a trailing slash (`''` for the page's own origin). */
  readonly baseUrl: string;
  /** Every procedure of the origin, typed from its router: `api.content.create.mutate(…)`. */
  readonly api: TRPCClient<AppRouter>;
  /**
   * `auth.login`, its answer checked against `authResultSchema` (dates revived), so a server that
   * is not a Spherecast origin is an OriginApiError rather than a half-read object.
   */
  login(input: LoginInput, options?: { signal?: AbortSignal }): Promise<AuthResult>;
  /** `PUT /media/{contentId}/{path}`: stages one file of a ladder (owner only). */
  uploadMedia(input: MediaUploadInput): Promise<StagedFile>;
}

/** The login answer as it travels (JSON: dates are strings), read back into `AuthResult`. */
const authResultWire = authResultSchema.extend({
  expiresAt: z.coerce.date(),
  user: meSchema.extend({ createdAt: z.coerce.date() }),
});

/** `media/{contentId}/{a}/{b}`: the upload route of one file, each path segment URL-encoded. */
export function mediaUploadPath(contentId: string, path: string): string {
  return `media/${encodeURIComponent(contentId)}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

function messageOf(json: unknown): string | null {
  if (!json || typeof json !== 'object') return null;
  for (const key of ['message', 'detail', 'title'] as const) {
    const value = (json as Record<string, unknown>)[key];
    if (typeof value === 'string' && value) return value;
  }
  return null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Creates a client of one origin. Nothing is sent until a procedure is called. */
export function createOriginClient(options: OriginClientOptions): OriginClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch: OriginFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const headers = (): Record<string, string> => {
    const extra = typeof options.headers === 'function' ? options.headers() : options.headers;
    const token = options.token?.();
    return { ...extra, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  };
  const url = `${baseUrl}/trpc`;
  // tRPC's own fetch type is narrower than RequestInit; the request it builds is a plain one.
  const trpcFetch: NonNullable<Parameters<typeof httpLink>[0]['fetch']> = async (input, init) => {
    const response = await doFetch(input as string | URL, init ?? undefined);
    // tRPC would fail to parse a proxy's error page and lose its status: keep the status instead.
    if (!/\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
      await response.body?.cancel().catch(() => undefined);
      throw new OriginApiError(
        response.ok
          ? `${baseUrl || 'The server'} did not answer like a Spherecast origin; check its address.`
          : `The server answered ${response.status}. Try again; if it keeps happening, check the server address.`,
        response.status,
      );
    }
    return response;
  };
  const api = createTRPCClient<AppRouter>({
    links: [
      options.batch === false ? httpLink({ url, headers, fetch: trpcFetch }) : httpBatchLink({ url, headers, fetch: trpcFetch, maxItems: LIMITS.trpcBatchMax }),
    ],
  });

  return {
    baseUrl,
    api,
    async login(input, callOptions = {}) {
      const answer: unknown = await api.auth.login.mutate(input, callOptions.signal ? { signal: callOptions.signal } : undefined);
      const parsed = authResultWire.safeParse(answer);
      if (!parsed.success)
        throw new OriginApiError(`${baseUrl || 'The server'} answered the sign-in, but not like a Spherecast origin. Check the address.`, 200);
      return parsed.data;
    },
    async uploadMedia(input) {
      const { body } = input;
      const streamed = !(body instanceof Uint8Array || body instanceof ArrayBuffer || (typeof Blob !== 'undefined' && body instanceof Blob));
      const init: RequestInit & { duplex?: 'half' } = {
        method: 'PUT',
        headers: {
          ...headers(),
          accept: 'application/json',
          'content-type': 'application/octet-stream',
          ...(input.size !== undefined ? { 'content-length': String(input.size) } : {}),
        },
        body: body as RequestInit['body'],
        ...(streamed ? { duplex: 'half' as const } : {}),
        ...(input.signal ? { signal: input.signal } : {}),
      };
      let response: Response;
      try {
        response = await doFetch(`${baseUrl}/${mediaUploadPath(input.contentId, input.path)}`, init);
      } catch (error) {
        throw new OriginApiError(UNREACHABLE_MESSAGE, 0, { cause: error });
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw new OriginApiError(UNREACHABLE_MESSAGE, 0, { cause: error });
      }
      const json = text ? parseJson(text) : null;
      if (!response.ok) throw new OriginApiError(messageOf(json) ?? `The server answered ${response.status}.`, response.status);
      const staged = stagedFileSchema.safeParse(json);
      if (!staged.success)
        throw new OriginApiError(`The server accepted ${input.path} but did not answer like a Spherecast origin; check its address.`, response.status);
      return staged.data;
    },
  };
}
