// GET /stats.json and GET /metrics: what they answer, and who may read them. The tracker mounts
// them on its public server or on a separate operator server (TrackerConfig.opsPort).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OPS_REFUSALS, type OpsRefusal } from '../errors.ts';
import type { JsonLogger } from './logger.ts';
import { renderPrometheus, type TrackerStats } from './stats.ts';

/** Paths of the operator endpoints. */
export const OPS_PATHS = { stats: '/stats.json', metrics: '/metrics' } as const;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Writes a JSON error body `{ error: { code, message } }`, as every tracker HTTP error is. */
export function sendJsonError(response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify({ error: { code, message } }));
}

/** Answers the operator endpoints from a stats snapshot, behind an optional bearer token. */
export class OpsEndpoints {
  /** SHA-256 of the token: comparing digests takes the same time whatever the given token's length. */
  private readonly tokenDigest: Buffer | null;

  constructor(
    token: string | null,
    private readonly snapshot: () => TrackerStats,
    private readonly log: JsonLogger,
  ) {
    this.tokenDigest = token === null ? null : sha256(token);
  }

  static isOpsPath(path: string): boolean {
    return path === OPS_PATHS.stats || path === OPS_PATHS.metrics;
  }

  /** Serves `request` (whose path is one of {@link OPS_PATHS}). */
  handle(request: IncomingMessage, response: ServerResponse, path: string, ip: string): void {
    const refusal = this.authorize(request.headers.authorization);
    if (refusal !== null) {
      this.log.warn('ops-request-refused', { reason: refusal, ip, path });
      const { status, message } = OPS_REFUSALS[refusal];
      sendJsonError(response, status, refusal, message, { 'www-authenticate': 'Bearer realm="spherecast-tracker"' });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJsonError(response, 405, 'method-not-allowed', `Use GET on ${path}.`, { allow: 'GET, HEAD' });
      return;
    }
    const stats = this.snapshot();
    const [type, body] =
      path === OPS_PATHS.stats ? ['application/json', JSON.stringify(stats)] : ['text/plain; version=0.0.4; charset=utf-8', renderPrometheus(stats)];
    response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    response.end(body);
  }

  private authorize(header: string | undefined): OpsRefusal | null {
    if (this.tokenDigest === null) return null;
    const given = header === undefined ? null : BEARER.exec(header)?.[1];
    if (given === undefined || given === null) return 'ops-token-missing';
    return timingSafeEqual(sha256(given), this.tokenDigest) ? null : 'ops-token-wrong';
  }
}
