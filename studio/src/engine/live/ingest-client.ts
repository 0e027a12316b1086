/**
 * The pushing side of the origin's live contract: channels (`/api/live/channels`, the creator's bearer
 * token) and the HLS push ingest (`PUT {hlsIngestUrl}/{path}`, `Authorization: Bearer <streamKey>`).
 * Every failure is a MediaError that says whether trying again can help: 401/400/409/413 cannot, an
 * unreachable origin or a 5xx can.
 */
import { liveChannelCreatedSchema, liveChannelSchema, type LiveChannel, type LiveChannelCreated, type LiveChannelCreateInput } from '@spherecast/shared';
import { MediaError } from '@spherecast/shared/media';

export type Fetch = typeof fetch;

/** The origin's error sentence from a problem body (`{ message }`), else the status text. */
async function messageOf(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) return body.message;
  } catch {
    // Not JSON: the text itself, shortened.
  }
  return text.slice(0, 300) || response.statusText || `HTTP ${response.status}`;
}

/** The MediaError for a refused ingest or API call, saying what to do. */
export async function ingestFailure(response: Response, what: string): Promise<MediaError> {
  const status = response.status;
  const said = await messageOf(response);
  if (status === 401 || status === 403) {
    return new MediaError(
      'ORIGIN_AUTH_FAILED',
      `The origin refused the stream key for ${what} (HTTP ${status}): ${said} Check --key (or rotate the key and use the new one).`,
      { status },
    );
  }
  if (status === 409) return new MediaError('ORIGIN_REJECTED', `The origin refused ${what} (HTTP 409): ${said}`, { status });
  if (status === 413) return new MediaError('ORIGIN_REJECTED', `${what} is too large for the origin (HTTP 413): ${said}`, { status });
  if (status === 429 || status >= 500)
    return new MediaError('ORIGIN_SERVER_ERROR', `The origin could not take ${what} now (HTTP ${status}): ${said}`, { status, retryable: true });
  return new MediaError('ORIGIN_REJECTED', `The origin refused ${what} (HTTP ${status}): ${said}`, { status });
}

function unreachable(url: string, error: unknown): MediaError {
  const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  return new MediaError('ORIGIN_UNREACHABLE', `Cannot reach the origin at ${new URL(url).origin} (${reason}); the studio keeps trying.`, { cause: error });
}

/** PUTs one ingest file; resolves on 2xx, throws a MediaError otherwise (retryable for network faults and 5xx). */
export async function putIngestFile(options: {
  url: string;
  streamKey: string;
  body: Uint8Array;
  contentType: string;
  signal?: AbortSignal;
  fetch?: Fetch;
  what: string;
}): Promise<void> {
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(options.url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${options.streamKey}`, 'content-type': options.contentType },
      // Segments are read from files into plain ArrayBuffers, never shared memory.
      body: options.body as Uint8Array<ArrayBuffer>,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (options.signal?.aborted && (options.signal.reason as Error | undefined)?.name !== 'TimeoutError')
      throw new MediaError('CANCELLED', 'The upload was stopped.', { cause: error });
    throw unreachable(options.url, error);
  }
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  throw await ingestFailure(response, options.what);
}

async function api<T>(
  origin: string,
  path: string,
  init: { method: string; token?: string; body?: unknown; signal?: AbortSignal; fetch?: Fetch },
  parse: (value: unknown) => T,
  what: string,
): Promise<T> {
  const url = `${origin.replace(/\/+$/, '')}/api${path}`;
  let response: Response;
  try {
    response = await (init.fetch ?? fetch)(url, {
      method: init.method,
      headers: {
        accept: 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: init.signal ?? AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw unreachable(url, error);
  }
  if (response.status === 401) {
    // The API's 401 is about the creator's sign-in, not the stream key.
    await response.body?.cancel();
    throw new MediaError('ORIGIN_AUTH_FAILED', `The origin refused ${what} (HTTP 401): sign in again (--login, or a fresh --token).`, { status: 401 });
  }
  if (!response.ok) throw await ingestFailure(response, what);
  return parse(await response.json());
}

/** Opens a channel for the signed-in creator: its stream key (shown once) and ingest URLs. */
export function createChannel(
  origin: string,
  token: string,
  input: LiveChannelCreateInput,
  options: { signal?: AbortSignal; fetch?: Fetch } = {},
): Promise<LiveChannelCreated> {
  return api(origin, '/live/channels', { method: 'POST', token, body: input, ...options }, (v) => liveChannelCreatedSchema.parse(v), 'opening a channel');
}

/** Ends the broadcast (the creator's token): the origin turns the recording into a video. */
export async function endChannel(origin: string, token: string, channelId: string, options: { signal?: AbortSignal; fetch?: Fetch } = {}): Promise<void> {
  await api(
    origin,
    `/live/channels/${encodeURIComponent(channelId)}/end`,
    { method: 'POST', token, body: {}, ...options },
    () => undefined,
    'ending the broadcast',
  );
}

/** A channel's status and viewers (public). */
export function channelStatus(origin: string, channelId: string, options: { signal?: AbortSignal; fetch?: Fetch } = {}): Promise<LiveChannel> {
  return api(origin, `/live/channels/${encodeURIComponent(channelId)}`, { method: 'GET', ...options }, (v) => liveChannelSchema.parse(v), 'the channel status');
}

/** `{origin}/live/{channelId}`: where a channel's HLS push goes. */
export function hlsIngestUrlOf(origin: string, channelId: string): string {
  return `${origin.replace(/\/+$/, '')}/live/${encodeURIComponent(channelId)}`;
}
