import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** Requests that asked for a server-sent event stream (tRPC subscriptions): they stay open until the client leaves. */
function isEventStream(headers: Record<string, string | string[] | undefined>): boolean {
  const accept = headers.accept;
  return (Array.isArray(accept) ? accept.join(',') : (accept ?? '')).includes('text/event-stream');
}

/**
 * Ends the open event streams when the server closes. Without this, `app.close()` waits for every
 * subscriber to leave by itself, so an origin with one open page never stops. A subscriber whose
 * stream ends reconnects, to another origin behind the balancer, with its last event id, and misses
 * nothing (see realtime.events).
 */
export function endEventStreamsOnClose(app: FastifyInstance): void {
  const open = new Set<IncomingMessage>();
  app.addHook('onRequest', (request, _reply, done) => {
    if (isEventStream(request.headers)) {
      const raw = request.raw;
      open.add(raw);
      raw.once('close', () => open.delete(raw));
    }
    done();
  });
  app.addHook('preClose', (done) => {
    for (const raw of open) raw.socket?.destroy();
    open.clear();
    done();
  });
}
