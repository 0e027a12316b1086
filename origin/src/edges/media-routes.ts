import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { idSchema } from '@spherecast/shared';
import { requireEditableContent } from '../core/access.ts';
import { lookupSession, signInRequiredMessage, tokenFromRequest } from '../core/sessions.ts';
import type { OriginServices } from '../core/services.ts';
import { UploadTooLargeError } from '../core/media-store.ts';
import { normaliseMediaPath, UnsafePathError } from '../core/safe-path.ts';
import { decideUpload, recordStagedUpload } from '../domains/media/uploads.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.m4a': 'audio/mp4',
  '.ts': 'video/mp2t',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.vtt': 'text/vtt; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** Segments and init files never change once published (a new publish gets a new folder). */
const IMMUTABLE = new Set(['.mp4', '.m4s', '.m4a', '.ts', '.jpg', '.jpeg', '.png', '.webp']);

function problem(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).type('application/json').send({ message, status });
}

/** Parses a single `bytes=a-b` range. Multi-range requests are answered with the whole file. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, startText, endText] = match;
  let start: number;
  let end: number;
  if (startText === '' && endText === '') return 'invalid';
  if (startText === '') {
    start = Math.max(0, size - Number(endText));
    end = size - 1;
  } else {
    start = Number(startText);
    end = endText === '' ? size - 1 : Math.min(Number(endText), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}

/**
 * `GET|HEAD /media/<contentId>/<publishId>/<file>`: published files, with Range and CORS.
 * `PUT /media/<contentId>/<path>`: the owner's staged uploads.
 */
export async function mediaRoutes(app: FastifyInstance, services: OriginServices): Promise<void> {
  // Upload bodies are streamed to disk, never buffered or parsed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  // Fastify answers HEAD from this GET route, without the body.
  const serve = async (request: { params: unknown; headers: Record<string, string | string[] | undefined> }, reply: FastifyReply) => {
    const raw = (request.params as { '*': string })['*'];
    let relative: string;
    try {
      relative = normaliseMediaPath(raw);
    } catch (error) {
      if (error instanceof UnsafePathError) return problem(reply, 400, error.message);
      throw error;
    }
    const file = services.media.publishedFile(relative);
    let info;
    try {
      info = await stat(file);
    } catch {
      return problem(reply, 404, 'No such media file.');
    }
    if (!info.isFile()) return problem(reply, 404, 'No such media file.');
    const ext = path.extname(file).toLowerCase();
    reply.header('content-type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
    reply.header('accept-ranges', 'bytes');
    reply.header('cache-control', IMMUTABLE.has(ext) ? 'public, max-age=31536000, immutable' : 'public, max-age=2, must-revalidate');
    reply.header('last-modified', info.mtime.toUTCString());
    const rangeHeader = request.headers.range;
    const range = parseRange(Array.isArray(rangeHeader) ? rangeHeader[0] : rangeHeader, info.size);
    if (range === 'invalid') {
      reply.header('content-range', `bytes */${info.size}`);
      return problem(reply, 416, 'The requested range is outside the file.');
    }
    if (range) {
      reply.code(206);
      reply.header('content-range', `bytes ${range.start}-${range.end}/${info.size}`);
      reply.header('content-length', range.end - range.start + 1);
      return reply.send(createReadStream(file, { start: range.start, end: range.end }));
    }
    reply.header('content-length', info.size);
    return reply.send(createReadStream(file));
  };

  app.get('/media/*', (request, reply) => serve(request, reply));

  app.put('/media/:contentId/*', { bodyLimit: services.config.maxUploadBytes }, async (request, reply) => {
    const params = request.params as { contentId: string; '*': string };
    const id = idSchema.safeParse(params.contentId);
    if (!id.success) return problem(reply, 400, 'contentId: must be an id (a UUID).');
    const token = tokenFromRequest(request.headers, request.cookies ?? {});
    const session = token ? await lookupSession(services.prisma, token, services.now()) : null;
    if (!session || session.status !== 'valid') return problem(reply, 401, signInRequiredMessage(session?.status ?? null, 'upload media'));
    let relative: string;
    try {
      relative = normaliseMediaPath(params['*']);
    } catch (error) {
      if (error instanceof UnsafePathError) return problem(reply, 400, error.message);
      throw error;
    }
    let content;
    try {
      content = await requireEditableContent(services.prisma, session.user, id.data);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'NOT_FOUND') return problem(reply, 404, 'That content was not found.');
      if (code === 'FORBIDDEN') return problem(reply, 403, 'Only the creator of this content can upload its media.');
      throw error;
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
