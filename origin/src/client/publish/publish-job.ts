import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { z } from 'zod';
import { contentCreateInput, stagedFilesSchema, type ContentCreateInput } from '../api/content.ts';
import { projectionSchema } from '../projection.ts';
import { MediaError } from './errors.ts';
import { parseMasterPlaylist, PROJECTION_SESSION_DATA_ID } from './hls-playlist.ts';
import { LADDER_FILES } from './ladder-encode.ts';
import { listFiles } from './output-dir.ts';
import { MediaJob, runJob, type MediaJobEvents } from './media-job.ts';

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

const ladderManifestSchema = z.looseObject({
  kind: z.enum(['video', 'photo']),
  projection: projectionSchema,
  master: z.string(),
  durationSeconds: z.number().optional(),
  poster: z.string().optional(),
  preview: z.string().optional(),
});

/** What a folder to publish says about itself: kind, projection, master, poster, duration. */
export async function readPublishManifest(dir: string): Promise<z.infer<typeof ladderManifestSchema>> {
  for (const name of [LADDER_FILES.manifest, 'photo.json']) {
    try {
      const parsed = ladderManifestSchema.safeParse(JSON.parse(await readFile(path.join(dir, name), 'utf8')));
      if (parsed.success) return { ...parsed.data, poster: parsed.data.poster ?? parsed.data.preview };
    } catch {
      // not this one
    }
  }
  try {
    const master = parseMasterPlaylist(await readFile(path.join(dir, LADDER_FILES.master), 'utf8'));
    const value = master.sessionData.find((d) => d['DATA-ID'] === PROJECTION_SESSION_DATA_ID)?.VALUE;
    return { kind: 'video', projection: projectionSchema.parse(value ?? 'equirectangular-mono'), master: LADDER_FILES.master };
  } catch {
    throw new MediaError('INPUT_NOT_FOUND', `${dir} is not a Spherecast output folder (no ladder.json, photo.json or master.m3u8). Run transcode first.`);
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface HttpResponse {
  status: number;
  body: string;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new MediaError('CANCELLED', 'Publishing was cancelled.'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new MediaError('CANCELLED', 'Publishing was cancelled.'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Publishes a transcode (or photo) output folder to the origin: sign in when given a password,
 * create the content, list what is already staged, upload the rest with `PUT /media/{id}/{path}`
 * (skipping files with the same size and sha256, retrying network errors and 5xx with exponential
 * back-off, at most `concurrency` at once), then finalize.
 */
export class PublishJob extends MediaJob<PublishResult, PublishProgress> {
  readonly options: PublishOptions;
  protected readonly kind = 'publish';
  protected readonly cancelledMessage = 'Publishing was cancelled; files uploaded so far stay staged and are skipped next time.';
  readonly #base: URL;
  #token: string | undefined;
  #progress: PublishProgress = { phase: 'login', totalBytes: 0, doneBytes: 0, totalFiles: 0, doneFiles: 0, percent: 0, file: null };

  constructor(options: PublishOptions) {
    super();
    this.options = options;
    try {
      this.#base = new URL(options.origin.endsWith('/') ? options.origin : `${options.origin}/`);
      if (!/^https?:$/.test(this.#base.protocol)) throw new Error('not http(s)');
    } catch {
      throw new MediaError('INVALID_OPTIONS', `${options.origin} is not an origin address; use e.g. https://spherecast.example.org`);
    }
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
    this.#token = 'token' in options.auth ? options.auth.token : await this.#login(options.auth);

    let contentId = options.contentId;
    if (!contentId) {
      this.#report({ phase: 'create' });
      const parsedBody = contentCreateInput.safeParse({ kind: manifest.kind, projection: manifest.projection, ...options.content });
      if (!parsedBody.success) {
        throw new MediaError('INVALID_OPTIONS', `The content fields are not valid: ${parsedBody.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      }
      const body = parsedBody.data;
      const created = z.looseObject({ id: z.string() }).safeParse(await this.#json('POST', 'api/content', body));
      if (!created.success) throw new MediaError('ORIGIN_REJECTED', 'The origin did not return the new content’s id; is this a Spherecast origin?');
      contentId = created.data.id;
    }
    const id = encodeURIComponent(contentId);

    const staged = stagedFilesSchema.safeParse(await this.#json('GET', `api/content/${id}/uploads`));
    if (!staged.success) throw new MediaError('ORIGIN_REJECTED', 'The origin’s list of staged files has an unexpected shape.');
    const stagedByPath = new Map(staged.data.files.map((f) => [f.path, f]));

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
          this.#report({ phase: 'upload', doneBytes: this.#progress.doneBytes + size, doneFiles: this.#progress.doneFiles + 1, file: { path: rel, size, sentBytes: 0, status: 'skipped', attempt: 0 } });
          return;
        }
      }
      let counted = 0;
      await this.#withRetry(rel, async (attempt) => {
        // A retry starts the file again: take back what the failed attempt counted.
        this.#report({ phase: 'upload', doneBytes: this.#progress.doneBytes - counted, file: { path: rel, size, sentBytes: 0, status: 'uploading', attempt } });
        counted = 0;
        const response = await this.#request('PUT', `media/${id}/${rel.split('/').map(encodeURIComponent).join('/')}`, {
          file,
          size,
          onBytes: (n) => {
            counted += n;
            this.#report({ doneBytes: this.#progress.doneBytes + n, file: { path: rel, size, sentBytes: counted, status: 'uploading', attempt } });
          },
        });
        this.#check(response, `upload ${rel}`);
      });
      bytesSent += size;
      uploaded.push(rel);
      this.#report({ doneFiles: this.#progress.doneFiles + 1, file: { path: rel, size, sentBytes: size, status: 'uploaded', attempt: 0 } });
    };

    const concurrency = Math.max(1, options.concurrency ?? 4);
    const queue = ordered.slice(0, -1);
    const worker = async () => {
      for (let rel = queue.shift(); rel !== undefined; rel = queue.shift()) {
        if (signal.aborted) throw new MediaError('CANCELLED', 'Publishing was cancelled.');
        await uploadOne(rel);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, queue.length)) }, worker));
    await uploadOne(manifest.master);

    this.#report({ phase: 'finalize', file: null });
    const finalized = await this.#json('POST', `api/content/${id}/finalize`, {
      master: manifest.master,
      ...(manifest.durationSeconds ? { durationSeconds: manifest.durationSeconds } : {}),
      ...(manifest.poster && files.includes(manifest.poster) ? { poster: manifest.poster } : {}),
    });
    return publishResultSchema.parse({
      contentId,
      uploaded: uploaded.sort(),
      skipped: skipped.sort(),
      bytesSent,
      content: finalized && typeof finalized === 'object' ? finalized : {},
    });
  }

  async #login(auth: { login: string; password: string }): Promise<string> {
    const result = z.looseObject({ token: z.string().min(1) }).safeParse(await this.#json('POST', 'api/auth/login', auth, false));
    if (!result.success) throw new MediaError('ORIGIN_AUTH_FAILED', 'The origin accepted the login but returned no token; is this a Spherecast origin?');
    return result.data.token;
  }

  /** A JSON request with retries; throws on non-2xx. */
  async #json(method: 'GET' | 'POST', rel: string, body?: unknown, authorized = true): Promise<unknown> {
    return this.#withRetry(`${method} /${rel}`, async () => {
      const response = await this.#request(method, rel, { json: body, authorized });
      this.#check(response, `${method} /${rel}`);
      try {
        return response.body ? (JSON.parse(response.body) as unknown) : null;
      } catch {
        throw new MediaError('ORIGIN_REJECTED', `The origin answered ${method} /${rel} with something that is not JSON; check the origin address.`);
      }
    });
  }

  #check(response: HttpResponse, what: string): void {
    if (response.status >= 200 && response.status < 300) return;
    let detail = '';
    try {
      const parsed = JSON.parse(response.body) as { message?: unknown; error?: unknown; detail?: unknown };
      const text = parsed.message ?? parsed.detail ?? parsed.error;
      if (typeof text === 'string') detail = `: ${text}`;
    } catch {
      detail = response.body ? `: ${response.body.slice(0, 200)}` : '';
    }
    if (response.status === 401 || response.status === 403) {
      throw new MediaError('ORIGIN_AUTH_FAILED', `The origin refused ${what} (${response.status})${detail}. Sign in again or check that you own this content.`, { status: response.status });
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new MediaError('ORIGIN_SERVER_ERROR', `The origin failed ${what} (${response.status})${detail}. It will be retried; if it persists, check the origin.`, { status: response.status });
    }
    throw new MediaError('ORIGIN_REJECTED', `The origin rejected ${what} (${response.status})${detail}.`, { status: response.status });
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
            throw new MediaError(error.code, `${error.message} (gave up after ${attempts} attempts at ${what})`, { cause: error, ...(error.status ? { status: error.status } : {}), retryable: true });
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

  /** One HTTP request over node:http(s): a JSON body or a file streamed with its Content-Length. */
  #request(
    method: string,
    rel: string,
    body: { json?: unknown; authorized?: boolean; file?: string; size?: number; onBytes?: (n: number) => void },
  ): Promise<HttpResponse> {
    const url = new URL(rel, this.#base);
    const { signal } = this;
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (body.authorized !== false && this.#token) headers.authorization = `Bearer ${this.#token}`;
    let payload: Buffer | undefined;
    if (body.json !== undefined) {
      payload = Buffer.from(JSON.stringify(body.json));
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    } else if (body.file) {
      headers['content-type'] = 'application/octet-stream';
      headers['content-length'] = body.size ?? 0;
    } else if (method !== 'GET') {
      headers['content-length'] = 0;
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<HttpResponse>((resolve, reject) => {
      const networkError = (error: Error) =>
        new MediaError('ORIGIN_UNREACHABLE', `Cannot reach the origin at ${this.#base.origin} (${error.message}). Check the address and your connection.`, { cause: error });
      const req = transport.request(url, { method, headers, signal, timeout: this.options.timeoutMs ?? 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => reject(networkError(error)));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (error) => reject(signal.aborted ? new MediaError('CANCELLED', 'Publishing was cancelled.') : networkError(error)));
      if (body.file) {
        const stream = createReadStream(body.file);
        stream.on('data', (chunk) => body.onBytes?.(chunk.length));
        stream.on('error', (error) => req.destroy(error));
        stream.pipe(req);
      } else {
        req.end(payload);
      }
    });
  }
}

/** Runs a PublishJob to completion. */
export function publishToOrigin(
  options: PublishOptions & { signal?: AbortSignal; onProgress?: (progress: PublishProgress) => void },
): Promise<PublishResult> {
  return runJob(new PublishJob(options), options);
}
