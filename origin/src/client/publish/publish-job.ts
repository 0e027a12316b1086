import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { z } from 'zod';
import { contentCreateInput, type ContentCreateInput } from '@spherecast/shared';
import { listFiles, MediaError, MediaJob, runJob, type MediaJobEvents } from '@spherecast/shared/media';
import { createOriginClient, type OriginClient } from '../origin-client.ts';
import { errorStatus, OriginApiError } from '../errors.ts';
import { readPublishManifest, sha256File } from './publish-manifest.ts';

export type PublishAuth = { token: string } | { login: string; password: string };

export interface PublishOptions {
  /** Origin base URL, e.g. `https://spherecast.example.org`. */
  origin: string;
  auth: PublishAuth;
  /** A transcode output (ladder.json / master.m3u8) or photo output (photo.json). */
  dir: string;
  /** Title and other content fields; kind and projection default to what the folder says. */
  content: Partial<ContentCreateInput> & { title: string };
  /** Resume into content created earlier instead of creating new content. */
  contentId?: string;
  /** Parallel uploads. Default 4. */
  concurrency?: number;
  /** Attempts per request on network errors and 5xx. Default 5. */
  attempts?: number;
  /** First back-off delay; doubles each retry (with jitter). Default 500 ms. */
  retryBaseMs?: number;
  /** Per-request inactivity timeout. Default 60 s. */
  timeoutMs?: number;
}

export interface PublishFileProgress {
  path: string;
  size: number;
  sentBytes: number;
  status: 'hashing' | 'uploading' | 'retrying' | 'uploaded' | 'skipped';
  /** Attempt number while uploading or retrying (1-based). */
  attempt: number;
}

export interface PublishProgress {
  phase: 'login' | 'create' | 'hash' | 'upload' | 'finalize';
  /** The content being published, once it exists (pass it as `contentId` to resume). */
  contentId: string | null;
  totalBytes: number;
  /** Bytes uploaded or skipped so far. */
  doneBytes: number;
  totalFiles: number;
  doneFiles: number;
  /** 0–100. */
  percent: number;
  /** The file this event is about, if any. */
  file: PublishFileProgress | null;
}

export const publishResultSchema = z.object({
  contentId: z.string(),
  uploaded: z.array(z.string()),
  skipped: z.array(z.string()),
  bytesSent: z.number().int(),
  /** The content as the origin returned it from finalize. */
  content: z.record(z.string(), z.unknown()),
});
export type PublishResult = z.infer<typeof publishResultSchema>;

export type PublishEvents = MediaJobEvents<PublishResult, PublishProgress>;

const cancelled = () => new MediaError('CANCELLED', 'Publishing was cancelled.');

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Aborts a request that has been silent (no byte sent, no answer) for `ms`; `poke()` on every chunk. */
class Watchdog {
  readonly #controller = new AbortController();
  readonly #ms: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  fired = false;

  constructor(ms: number) {
    this.#ms = ms;
    this.poke();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  poke(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.fired = true;
      this.#controller.abort(new Error(`no answer for ${Math.round(this.#ms / 1000)} s`));
    }, this.#ms);
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}

/** The origin's own sentence in a failure, if the origin (not the network or a proxy) said something. */
function originDetail(error: unknown): string {
  if (error instanceof OriginApiError && error.status !== 0) return error.message;
  if (error instanceof TRPCClientError && error.shape) return error.message;
  return '';
}

/**
 * Publishes a transcode (or photo) output folder to the origin through the typed client: sign in
 * (`auth.login`) when given a password, create the content (`content.create`), list what is already
 * staged (`content.uploads`), upload the rest with `PUT /media/{id}/{path}` (skipping files with the
 * same size and sha256, retrying network errors and 5xx with exponential back-off, at most
 * `concurrency` at once, the master last), then `content.finalize`.
 */
export class PublishJob extends MediaJob<PublishResult, PublishProgress> {
  readonly options: PublishOptions;
  protected readonly kind = 'publish';
  readonly #client: OriginClient;
  readonly #origin: string;
  #token: string | undefined;
  #progress: PublishProgress = { phase: 'login', contentId: null, totalBytes: 0, doneBytes: 0, totalFiles: 0, doneFiles: 0, percent: 0, file: null };

  constructor(options: PublishOptions) {
    super();
    this.options = options;
    let base: URL;
    try {
      base = new URL(options.origin);
      if (!/^https?:$/.test(base.protocol)) throw new Error('not http(s)');
    } catch {
      throw new MediaError('INVALID_OPTIONS', `${options.origin} is not an origin address; use e.g. https://spherecast.example.org`);
    }
    this.#origin = base.origin;
    this.#client = createOriginClient({ baseUrl: base.href, token: () => this.#token, batch: false });
  }

  protected get cancelledMessage(): string {
    const id = this.#progress.contentId;
    return id
      ? `Publishing was cancelled; files uploaded so far stay staged. Publish again into content ${id} (contentId / --content-id) to skip them.`
      : 'Publishing was cancelled before the content was created; nothing was uploaded.';
  }

  protected toFailure(error: unknown): MediaError {
    return error instanceof MediaError ? error : new MediaError('ORIGIN_UNREACHABLE', `Publishing failed: ${(error as Error).message}`, { cause: error });
  }

  #report(patch: Partial<PublishProgress>): void {
    const p = { ...this.#progress, ...patch };
    p.percent = p.totalBytes > 0 ? Math.min(100, (p.doneBytes / p.totalBytes) * 100) : p.phase === 'finalize' ? 100 : 0;
    this.#progress = p;
    this.emit('progress', p);
  }

  protected async run(): Promise<PublishResult> {
    const { options } = this;
    const { signal } = this;
    const manifest = await readPublishManifest(options.dir);
    const files = await listFiles(options.dir);
    if (!files.includes(manifest.master)) throw new MediaError('INPUT_NOT_FOUND', `${manifest.master} is missing from ${options.dir}; re-run transcode.`);

    this.#report({ phase: 'login' });
    if ('token' in options.auth) {
      this.#token = options.auth.token;
    } else {
      const { login, password } = options.auth;
      const answer = await this.#call('sign-in', (s) => this.#client.login({ login, password }, { signal: s }));
      this.#token = answer.token;
    }

    let contentId = options.contentId;
    if (!contentId) {
      this.#report({ phase: 'create' });
      const parsedBody = contentCreateInput.safeParse({ kind: manifest.kind, projection: manifest.projection, ...options.content });
      if (!parsedBody.success) {
        throw new MediaError(
          'INVALID_OPTIONS',
          `The content fields are not valid: ${parsedBody.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
      const body = parsedBody.data;
      const created = await this.#call('content.create', (s) => this.#client.api.content.create.mutate(body, { signal: s }));
      contentId = created.id;
    }
    const id = contentId;
    this.#report({ contentId: id });

    const staged = await this.#call('content.uploads', (s) => this.#client.api.content.uploads.query({ id }, { signal: s }));
    const stagedByPath = new Map(staged.files.map((f) => [f.path, f]));

    // The master goes last, so a half-published folder never has a master pointing at missing files.
    const ordered = [...files.filter((f) => f !== manifest.master), manifest.master];
    const sizes = new Map<string, number>();
    for (const rel of ordered) sizes.set(rel, (await stat(path.join(options.dir, rel))).size);
    const totalBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
    this.#report({ phase: 'hash', totalBytes, totalFiles: ordered.length, doneBytes: 0, doneFiles: 0 });

    const uploaded: string[] = [];
    const skipped: string[] = [];
    let bytesSent = 0;
    const uploadOne = async (rel: string): Promise<void> => {
      const file = path.join(options.dir, rel);
      const size = sizes.get(rel)!;
      const already = stagedByPath.get(rel);
      if (already && already.size === size) {
        this.#report({ file: { path: rel, size, sentBytes: 0, status: 'hashing', attempt: 0 } });
        if ((await sha256File(file)) === already.sha256.toLowerCase()) {
          skipped.push(rel);
          this.#report({
            phase: 'upload',
            doneBytes: this.#progress.doneBytes + size,
            doneFiles: this.#progress.doneFiles + 1,
            file: { path: rel, size, sentBytes: 0, status: 'skipped', attempt: 0 },
          });
          return;
        }
      }
      let counted = 0;
      await this.#withRetry(`upload ${rel}`, async (attempt) => {
        // A retry starts the file again: take back what the failed attempt counted.
        this.#report({ phase: 'upload', doneBytes: this.#progress.doneBytes - counted, file: { path: rel, size, sentBytes: 0, status: 'uploading', attempt } });
        counted = 0;
        const watchdog = new Watchdog(options.timeoutMs ?? 60_000);
        const hash = createHash('sha256');
        const onBytes = (chunk: Buffer) => {
          watchdog.poke();
          hash.update(chunk);
          counted += chunk.length;
          this.#report({ doneBytes: this.#progress.doneBytes + chunk.length, file: { path: rel, size, sentBytes: counted, status: 'uploading', attempt } });
        };
        try {
          const stored = await this.#client
            .uploadMedia({ contentId: id, path: rel, body: countedStream(file, onBytes), size, signal: AbortSignal.any([signal, watchdog.signal]) })
            .catch((error: unknown) => {
              throw this.#translate(error, `upload ${rel}`, watchdog.fired);
            });
          // What the origin hashed must be what was read: a proxy or disk that mangles bytes is caught here.
          const sent = hash.digest('hex');
          if (stored.size !== size || stored.sha256.toLowerCase() !== sent) {
            throw new MediaError('UPLOAD_INTEGRITY', `The origin stored ${rel} with a different size or SHA-256 than was sent; it will be sent again.`, {
              retryable: true,
            });
          }
        } finally {
          watchdog.dispose();
        }
      });
      bytesSent += size;
      uploaded.push(rel);
      this.#report({ doneFiles: this.#progress.doneFiles + 1, file: { path: rel, size, sentBytes: size, status: 'uploaded', attempt: 0 } });
    };

    const concurrency = Math.max(1, options.concurrency ?? 4);
    const queue = ordered.slice(0, -1);
    const worker = async () => {
      for (let rel = queue.shift(); rel !== undefined; rel = queue.shift()) {
        if (signal.aborted) throw cancelled();
        await uploadOne(rel);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, queue.length)) }, worker));
    await uploadOne(manifest.master);

    this.#report({ phase: 'finalize', file: null });
    const finalizeInput = {
      id,
      master: manifest.master,
      ...(manifest.durationSeconds ? { durationSeconds: manifest.durationSeconds } : {}),
      ...(manifest.poster && files.includes(manifest.poster) ? { poster: manifest.poster } : {}),
    };
    const finalized = await this.#call('content.finalize', (s) => this.#client.api.content.finalize.mutate(finalizeInput, { signal: s }));
    return publishResultSchema.parse({
      contentId,
      uploaded: uploaded.sort(),
      skipped: skipped.sort(),
      bytesSent,
      content: finalized,
    });
  }

  /** One API call with the inactivity timeout, retries and errors as MediaErrors. */
  #call<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.#withRetry(what, async () => {
      const watchdog = new Watchdog(this.options.timeoutMs ?? 60_000);
      try {
        return await call(AbortSignal.any([this.signal, watchdog.signal]));
      } catch (error) {
        throw this.#translate(error, what, watchdog.fired);
      } finally {
        watchdog.dispose();
      }
    });
  }

  /** A failed call as a MediaError that says what to do, retryable for the network, 5xx, 408 and 429. */
  #translate(error: unknown, what: string, timedOut: boolean): MediaError {
    if (error instanceof MediaError) return error;
    if (this.signal.aborted) return cancelled();
    const status = timedOut ? 0 : errorStatus(error);
    if (status === 0) {
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      const reason = timedOut ? `no answer to ${what} for ${Math.round((this.options.timeoutMs ?? 60_000) / 1000)} s` : cause;
      return new MediaError('ORIGIN_UNREACHABLE', `Cannot reach the origin at ${this.#origin} (${reason}). Check the address and your connection.`, {
        cause: error,
      });
    }
    const text = originDetail(error);
    const detail = text ? `: ${text}` : '';
    if (status === 429 && what === 'sign-in') {
      // Sign-in throttling lasts minutes: retrying within seconds only spends attempts.
      return new MediaError('ORIGIN_AUTH_FAILED', `The origin refused ${what} (${status})${detail}`, { status, cause: error });
    }
    if (status === 401 || status === 403) {
      const todo = what === 'sign-in' ? 'Check the login and password.' : 'Sign in again or check that you own this content.';
      return new MediaError('ORIGIN_AUTH_FAILED', `The origin refused ${what} (${status})${detail}. ${todo}`, { status, cause: error });
    }
    if (status >= 500 || status === 429 || status === 408) {
      return new MediaError('ORIGIN_SERVER_ERROR', `The origin failed ${what} (${status})${detail}. It will be retried; if it persists, check the origin.`, {
        status,
        cause: error,
      });
    }
    return new MediaError('ORIGIN_REJECTED', `The origin rejected ${what} (${status})${detail}.`, { status, cause: error });
  }

  async #withRetry<T>(what: string, run: (attempt: number) => Promise<T>): Promise<T> {
    const attempts = Math.max(1, this.options.attempts ?? 5);
    const base = this.options.retryBaseMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(attempt);
      } catch (error) {
        const retryable = error instanceof MediaError ? error.retryable : true;
        if (this.signal.aborted || !retryable || attempt >= attempts) {
          if (error instanceof MediaError && attempt >= attempts && retryable) {
            throw new MediaError(error.code, `${error.message} (gave up after ${attempts} attempts at ${what})`, {
              cause: error,
              ...(error.status ? { status: error.status } : {}),
              retryable: true,
            });
          }
          throw error;
        }
        const delay = base * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
        const file = this.#progress.file;
        if (file) this.#report({ file: { ...file, status: 'retrying', attempt } });
        await sleep(delay, this.signal);
      }
    }
  }
}

/** The file as it is read from disk, each chunk reported (progress, hash, inactivity timer) on its way out. */
async function* countedStream(file: string, onChunk: (chunk: Buffer) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(file)) {
    onChunk(chunk as Buffer);
    yield chunk as Buffer;
  }
}

/** Runs a PublishJob to completion. */
export function publishToOrigin(options: PublishOptions & { signal?: AbortSignal; onProgress?: (progress: PublishProgress) => void }): Promise<PublishResult> {
  return runJob(new PublishJob(options), options);
}
