import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { idSchema } from '@spherecast/shared';
import { mediaContentType } from '@spherecast/shared/http';
import { requireEditableContent } from '../core/access.ts';
import { signInRequiredMessage } from '../core/sessions.ts';
import { authenticate } from './authenticate.ts';
import type { OriginServices } from '../core/services.ts';
import { UploadTooLargeError } from '../core/media-store.ts';
import { mediaRedirect } from '../core/media-delivery.ts';
import type { PublishedObject } from '../core/media-store-s3.ts';
import { normaliseMediaPath, UnsafePathError } from '../core/safe-path.ts';
import { publishedFolderOf, SIGNED_PREFIX } from '../core/media-links.ts';
import { VIEWABLE_STATUSES } from '../core/content-view.ts';
import { problemOf, sendProblem } from './problem.ts';
import { sendByteRange } from './byte-range-reply.ts';
import { decideUpload, recordStagedUpload } from '../domains/media/uploads.ts';
import { AdBreakCache } from '../domains/ads/ad-breaks.ts';

/** Segments and init files never change once published (a new publish gets a new folder). */
const IMMUTABLE = new Set(['.mp4', '.m4s', '.m4a', '.ts', '.jpg', '.jpeg', '.png', '.webp']);

const problem = sendProblem;

/** Bytes of immutable published files kept in memory, most recently served first. */
const HOT_CACHE_BYTES = 128 * 2 ** 20;
/** Larger immutable files are read from storage every time. */
const HOT_CACHE_MAX_FILE = 16 * 2 ** 20;

/**
 * The hot segments of popular content in memory, least recently served evicted first. A Range
 * answer is a view into the cached bytes, so serving one costs a single write to the socket instead
 * of reads through the thread pool (or a bucket request) and a stream per request. Keyed by path,
 * size and modification time, so a file replaced in place is read again; concurrent misses for one
 * file share one read.
 */
class HotFiles {
  private readonly files = new Map<string, Buffer>();
  private readonly pending = new Map<string, Promise<Buffer>>();
  private bytes = 0;

  constructor(private readonly capacity: number) {}

  async get(relative: string, object: PublishedObject): Promise<Buffer> {
    const key = `${relative}\0${object.size}\0${object.modified.getTime()}`;
    const hit = this.files.get(key);
    if (hit) {
      this.files.delete(key);
      this.files.set(key, hit);
      return hit;
    }
    const waiting = this.pending.get(key);
    if (waiting) return waiting;
    const reading = object
      .read()
      .then((stream) => buffer(stream))
      .finally(() => this.pending.delete(key));
    this.pending.set(key, reading);
    const bytes = await reading;
    if (bytes.length === object.size && !this.files.has(key)) {
      this.files.set(key, bytes);
      this.bytes += bytes.length;
      for (const [oldest, value] of this.files) {
        if (this.bytes <= this.capacity) break;
        this.files.delete(oldest);
        this.bytes -= value.length;
      }
    }
    return bytes;
  }
}

/** Answers with `bytes`, or the part of them a Range header asks for. */
function sendBytes(reply: FastifyReply, bytes: Buffer, rangeHeader: string | undefined): Promise<FastifyReply> {
  return sendByteRange(reply, bytes.length, rangeHeader, (range) => (range ? bytes.subarray(range.start, range.end + 1) : bytes));
}

/** Statuses whose published media anyone may fetch unsigned (when the content is public). */
const SERVED_STATUSES = new Set<string>(VIEWABLE_STATUSES);

type MediaGrant = { ok: true; relative: string; signed: boolean } | { ok: false; status: number; message: string };

/**
 * Who may fetch a published file: anyone for public, viewable content (cacheable by every proxy);
 * for private and unlisted content only a signed path (`~<token>/...`, handed out in the playback
 * payload) whose signature, expiry and media epoch still hold. Anything else is a 403.
 */
async function grantMedia(services: OriginServices, raw: string): Promise<MediaGrant> {
  const signed = raw.startsWith(SIGNED_PREFIX);
  const slash = raw.indexOf('/');
  const token = signed ? raw.slice(SIGNED_PREFIX.length, slash === -1 ? raw.length : slash) : null;
  let relative: string;
  try {
    relative = normaliseMediaPath(signed ? raw.slice(slash + 1) : raw);
  } catch (error) {
    if (error instanceof UnsafePathError) return { ok: false, status: 400, message: error.message };
    throw error;
  }
  const contentId = relative.split('/', 1)[0] ?? '';
  const access = idSchema.safeParse(contentId).success ? await services.mediaAccess.get(contentId) : null;
  if (!access) return { ok: false, status: 404, message: 'No such media file.' };
  // Nothing is served before a publish (staging is never public): as if it did not exist.
  if (!SERVED_STATUSES.has(access.status)) return { ok: false, status: 404, message: 'No such media file.' };
  if (token === null || slash === -1) {
    if (access.visibility === 'public') return { ok: true, relative, signed: false };
    return { ok: false, status: 403, message: 'This media is not public. Open the video again in the player to get a link that works.' };
  }
  const check = services.mediaSigner.verify(token, publishedFolderOf(relative));
  if (!check.ok) {
    const why = check.reason === 'expired' ? 'This media link has expired.' : 'This media link is not valid.';
    return { ok: false, status: 403, message: `${why} Open the video again in the player to get a new one.` };
  }
  if (check.epoch !== access.mediaEpoch) {
    return { ok: false, status: 403, message: 'This media link was revoked (the video was made private or its visibility changed). Open the video again.' };
  }
  return { ok: true, relative, signed: true };
}

/**
 * `GET|HEAD /media/<contentId>/<publishId>/<file>`: published files, with Range and CORS.
 * `PUT /media/<contentId>/<path>`: the owner's staged uploads.
 */
export function mediaRoutes(app: FastifyInstance, services: OriginServices): void {
  const hot = new HotFiles(HOT_CACHE_BYTES);
  const adBreaks = new AdBreakCache(services.prisma);
  // Upload bodies are streamed to disk, never buffered or parsed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  // Fastify answers HEAD from this GET route, without the body.
  const serve = async (request: { method: string; params: unknown; headers: Record<string, string | string[] | undefined> }, reply: FastifyReply) => {
    const grant = await grantMedia(services, (request.params as { '*': string })['*']);
    if (!grant.ok) return problem(reply, grant.status, grant.message);
    // From disk, or from the bucket with STORAGE=s3 (core/media-store.ts).
    const info = await services.media.openPublished(grant.relative);
    if (!info) return problem(reply, 404, 'No such media file.');
    // MEDIA_DELIVERY=bucket: the bucket or its CDN sends the bytes (core/media-delivery.ts).
    const redirect = mediaRedirect(services.config, services.media.remote, grant, info, services.now());
    if (redirect) return reply.code(302).header('location', redirect.location).header('cache-control', redirect.cacheControl).send();
    const file = grant.relative;
    const ext = path.extname(file).toLowerCase();
    reply.header('content-type', mediaContentType(file));
    reply.header('accept-ranges', 'bytes');
    // Signed (private, unlisted) media may be kept by the viewer's browser only, never by a shared cache.
    const scope = grant.signed ? 'private' : 'public';
    reply.header(
      'cache-control',
      IMMUTABLE.has(ext) ? `${scope}, max-age=${grant.signed ? 3600 : 31536000}${grant.signed ? '' : ', immutable'}` : `${scope}, max-age=2, must-revalidate`,
    );
    reply.header('x-content-type-options', 'nosniff');
    reply.header('last-modified', info.modified.toUTCString());
    // A content with ad breaks: its media playlists declare them as HLS interstitials (the same for every viewer).
    if (ext === '.m3u8') {
      const contentId = file.split('/', 1)[0] ?? '';
      if (await adBreaks.get(contentId)) {
        const playlist = await adBreaks.playlistFor(contentId, (await buffer(await info.read())).toString('utf8'));
        reply.removeHeader('last-modified');
        reply.header('content-length', Buffer.byteLength(playlist));
        return reply.send(request.method === 'HEAD' ? Readable.from([]) : playlist);
      }
    }
    const rangeHeader = request.headers.range;
    const rangeValue = Array.isArray(rangeHeader) ? rangeHeader[0] : rangeHeader;
    // A mutable file (a live playlist, a live hash list) is replaced by a rename while it is served, so
    // the file read() opens may be a newer version than the one openPublished measured: a body shorter
    // than the content-length sent left hls.js waiting for bytes that never came (20 s, and a live
    // viewer stalled that long). Such files are small: read whole, answered with what was read.
    if (!IMMUTABLE.has(ext) && request.method !== 'HEAD' && info.size <= HOT_CACHE_MAX_FILE) {
      return sendBytes(reply, await buffer(await info.read()), rangeValue);
    }
    if (request.method === 'HEAD') {
      // Headers only, without reading a byte (Fastify would drain a file stream for HEAD): what a
      // front server's access subrequest asks (docs/nginx-media.conf), and what players probe.
      return sendByteRange(reply, info.size, rangeValue, () => Readable.from([]));
    }
    if (IMMUTABLE.has(ext) && info.size > 0 && info.size <= HOT_CACHE_MAX_FILE) {
      const bytes = await hot.get(grant.relative, info);
      // Read short (the file changed under us): stream it as before rather than serve a torn copy.
      if (bytes.length === info.size) return sendBytes(reply, bytes, rangeValue);
    }
    return sendByteRange(reply, info.size, rangeValue, (range) => info.read(range));
  };

  app.get('/media/*', (request, reply) => serve(request, reply));

  app.put('/media/:contentId/*', { bodyLimit: services.config.maxUploadBytes }, async (request, reply) => {
    const params = request.params as { contentId: string; '*': string };
    const id = idSchema.safeParse(params.contentId);
    if (!id.success) return problem(reply, 400, 'contentId: must be an id (a UUID).');
    const caller = await authenticate(services, request.headers, request.cookies ?? {});
    if (!caller.user) return problem(reply, 401, signInRequiredMessage(caller.authProblem, 'upload media'));
    let relative: string;
    try {
      relative = normaliseMediaPath(params['*']);
    } catch (error) {
      if (error instanceof UnsafePathError) return problem(reply, 400, error.message);
      throw error;
    }
    let content;
    try {
      content = await requireEditableContent(services.prisma, caller.user, id.data);
    } catch (error) {
      const { status, message } = problemOf(error);
      if (status >= 500) throw error;
      return problem(reply, status, message);
    }
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > services.config.maxUploadBytes) {
      return problem(reply, 413, `The file is larger than the ${Math.round(services.config.maxUploadBytes / 1048576)} MiB upload limit.`);
    }
    const decision = await decideUpload(services, content, relative, Number.isFinite(declared) ? declared : null);
    if (!decision.ok) return problem(reply, decision.status, decision.message);
    let written;
    try {
      written = await services.media.writeStaged(id.data, relative, request.body as NodeJS.ReadableStream as import('node:stream').Readable, decision.limit);
    } catch (error) {
      if (error instanceof UploadTooLargeError) return problem(reply, 413, error.message);
      if (error instanceof UnsafePathError) return problem(reply, 400, error.message);
      request.log.warn({ err: error }, 'upload failed');
      return problem(reply, 400, 'The upload was interrupted or could not be stored. Send the file again.');
    }
    await recordStagedUpload(services, id.data, written);
    return reply.code(201).send(written);
  });
}
