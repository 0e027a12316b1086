import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { TUS_PATH } from '@spherecast/shared';

/** What the edge needs of the uploads domain's tus intake. */
export interface TusHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * The tus protocol at TUS_PATH (`POST /tus` creates, `HEAD`/`PATCH`/`DELETE /tus/{uploadId}`), handed
 * to @tus/server as raw Node requests: tus streams the body itself and answers with its own headers.
 */
export function uploadRoutes(app: FastifyInstance, tus: TusHandler): void {
  // Bodies are chunks of a video: streamed to the tus store, never parsed, bounded by tus per role.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  const handler = async (request: { raw: IncomingMessage }, reply: { raw: ServerResponse; hijack(): void }) => {
    reply.hijack();
    await tus.handle(request.raw, reply.raw);
  };
  app.route({ method: ['POST'], url: TUS_PATH, bodyLimit: Number.MAX_SAFE_INTEGER, handler });
  app.route({ method: ['HEAD', 'PATCH', 'DELETE'], url: `${TUS_PATH}/:uploadId`, bodyLimit: Number.MAX_SAFE_INTEGER, handler });
}
