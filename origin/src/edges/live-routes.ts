import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { idSchema, LIVE_LIMITS, parseLiveIngestPath } from '@spherecast/shared';
import type { OriginServices } from '../core/services.ts';
import { ingestFile, keyMatches, sizeLimitOf } from '../domains/live/ingest.ts';
import { bearerKey } from '../domains/live/stream-keys.ts';
import { sendProblem } from './problem.ts';

class BodyTooLargeError extends Error {}

/** Reads a request body of at most `limit` bytes; a larger one rejects with BodyTooLargeError. */
async function readBody(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

const MIB = 1024 * 1024;
const describeLimit = (bytes: number) => (bytes >= MIB ? `${bytes / MIB} MiB` : `${bytes / 1024} KiB`);

/**
 * `PUT /live/{channelId}/{path}`: the HLS push ingest (ffmpeg's HLS muxer with `-method PUT`),
 * authenticated by `Authorization: Bearer <streamKey>`. 401 for a wrong or missing key, 400 for a
 * file name outside the contract, 413 past the size limit, 409 once the channel has ended.
 */
export function liveRoutes(app: FastifyInstance, services: OriginServices): void {
  // Bodies are segments: streamed in, bounded, never parsed as JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.put('/live/:channelId/*', { bodyLimit: 64 * MIB }, async (request, reply) => {
    const params = request.params as { channelId: string; '*': string };
    const path = parseLiveIngestPath(params['*']);
    const limit = 'error' in path ? LIVE_LIMITS.playlistBytes : sizeLimitOf(path);
    const tooLarge = `${params['*']} is larger than ${describeLimit(limit)}, the limit for this kind of file: use shorter segments or a lower bit rate.`;
    // The body is read at once, while the key is checked: ffmpeg closes its connection as soon as it
    // has sent a file, and a body still unread then is lost.
    const stream = request.body as Readable;
    const declared = Number(request.headers['content-length']);
    const body: Promise<Buffer | Error> =
      Number.isFinite(declared) && declared > limit
        ? Promise.resolve(new BodyTooLargeError())
        : readBody(stream, limit).catch((error: unknown) => error as Error);
    const key = bearerKey(request.headers.authorization);
    const channel = idSchema.safeParse(params.channelId);
    if (!key || !channel.success || !(await keyMatches(services.prisma, channel.data, key))) {
      stream.resume();
      return sendProblem(
        reply,
        401,
        key
          ? 'The stream key does not open this channel: use the key shown when the channel was opened or last rotated.'
          : 'Send the stream key as Authorization: Bearer <streamKey>.',
      );
    }
    if ('error' in path) {
      stream.resume();
      return sendProblem(reply, 400, path.error);
    }
    const received = await body;
    if (received instanceof BodyTooLargeError) {
      stream.resume();
      return sendProblem(reply, 413, tooLarge);
    }
    if (received instanceof Error) {
      request.log.warn({ err: received, url: request.url }, 'live ingest upload failed');
      return sendProblem(reply, 400, 'The upload was interrupted. Send the file again.');
    }
    const answer = await ingestFile(services, channel.data, path, received);
    if (!answer.ok) return sendProblem(reply, answer.status, answer.message);
    return answer.body ? reply.code(answer.status).send(answer.body) : reply.code(answer.status).send();
  });
}
