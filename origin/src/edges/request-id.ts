import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A request id a proxy in front of the origin may already have given (`x-request-id`), if it is sane. */
const FORWARDED_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export const REQUEST_ID_HEADER = 'x-request-id';

/** Fastify's genReqId: keeps a proxy's id so one request can be followed across both logs, else a new UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const forwarded = request.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(forwarded) ? forwarded[0] : forwarded;
  return value && FORWARDED_ID.test(value) ? value : randomUUID();
}
