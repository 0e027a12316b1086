import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { TOUR_MEDIA_LIMITS } from '@spherecast/shared';
import type { OriginServices } from '../core/services.ts';
import { signInRequiredMessage } from '../core/sessions.ts';
import { openTourMedia, storeTourAudio } from '../domains/tours/tour-media.ts';
import { authenticate } from './authenticate.ts';
import { sendProblem } from './problem.ts';
import { sendByteRange } from './byte-range-reply.ts';

/**
 * `PUT /api/tours/{id}/media/{file}`: a narration audio file for a tour (its owner or an admin; the
 * body is the file, any Content-Type, at most `TOUR_MEDIA_LIMITS.audioMaxBytes`; `{file}` is only the
 * creator's name for it). 201 with `{ url, contentType, size, sha256, durationSeconds }`; `url` is
 * the `/media/tours/...` path a narration's `audioUrl` takes. 415 when ffprobe does not find MP3,
 * M4A, Ogg or WAV audio in the bytes, 413 past the limit.
 * `GET|HEAD /media/tours/{id}/{name}`: the stored file, to whoever may see the tour, with Range.
 */
export function tourMediaRoutes(app: FastifyInstance, services: OriginServices): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: TOUR_MEDIA_LIMITS.audioMaxBytes }, (_request, body, done) => done(null, body));

  app.put('/api/tours/:id/media/:file', { bodyLimit: TOUR_MEDIA_LIMITS.audioMaxBytes }, async (request, reply) => {
    const params = request.params as { id: string; file: string };
    const caller = await authenticate(services, request.headers, request.cookies ?? {});
    if (!caller.user) return sendProblem(reply, 401, signInRequiredMessage(caller.authProblem, 'add media to a tour'));
    if (!Buffer.isBuffer(request.body)) {
      (request.body as Readable | undefined)?.resume?.();
      return sendProblem(reply, 400, 'The body is empty: send the audio file as the request body.');
    }
    const result = await storeTourAudio(services, caller.user, params.id, request.body);
    if (!result.ok) return sendProblem(reply, result.status, result.message);
    return reply.code(201).send(result.upload);
  });

  app.get('/media/tours/:id/:name', async (request, reply) => {
    const params = request.params as { id: string; name: string };
    const caller = await authenticate(services, request.headers, request.cookies ?? {});
    const found = await openTourMedia(services, caller.user, params.id, params.name);
    if (!found.ok) return sendProblem(reply, found.status, found.message);
    const { file } = found;
    reply.header('content-type', found.contentType);
    reply.header('accept-ranges', 'bytes');
    // The name is the bytes' hash: never changes. A tour that is not public is kept by the viewer's browser only.
    reply.header('cache-control', found.public ? 'public, max-age=31536000, immutable' : 'private, max-age=3600');
    reply.header('x-content-type-options', 'nosniff');
    return sendByteRange(reply, file.size, request.headers.range, (range) => (request.method === 'HEAD' ? Readable.from([]) : file.read(range)));
  });
}
