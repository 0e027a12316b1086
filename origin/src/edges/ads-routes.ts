import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { adAssetListQuery, adBeaconQuery, adVastQuery } from '@spherecast/shared';
import type { z } from 'zod';
import { describeIssues } from '../core/errors.ts';
import type { OriginServices } from '../core/services.ts';
import { VIEWER_COOKIE } from '../core/sessions.ts';
import { assetListFor, type Viewer } from '../domains/ads/ad-decision.ts';
import { recordBeacon } from '../domains/ads/beacons.ts';
import { vastDocumentFor } from '../domains/ads/vast-document.ts';
import { authenticate } from './authenticate.ts';
import { sendProblem } from './problem.ts';

const VIEWER_ID = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * What players and ad tech call (not JSON procedures, so plain routes):
 * - `GET /api/ads/vast?contentId&position[&viewerId]`: a VAST 4 document (XML) for one break;
 * - `GET /api/ads/assets?contentId&position&break[&viewerId]`: the HLS interstitials asset list
 *   (the X-ASSET-LIST of the playlists' ad DATERANGEs; hls.js adds `_HLS_primary_id` and
 *   `_HLS_start_offset`), decided for this viewer: signed in (session cookie or bearer token),
 *   else the anonymous id (`viewerId`, x-spherecast-viewer or the viewer cookie);
 * - `GET /api/ads/beacon?i&e&s`: one tracking event of one impression (204).
 * The decision is per viewer, so answers are never cached by shared caches.
 */
export function adsRoutes(app: FastifyInstance, services: OriginServices): void {
  const parse = <T extends z.ZodType>(schema: T, request: FastifyRequest, reply: FastifyReply): z.output<T> | null => {
    const parsed = schema.safeParse(request.query);
    if (parsed.success) return parsed.data;
    void sendProblem(reply, 400, describeIssues(parsed.error.issues));
    return null;
  };

  const viewerOf = async (request: FastifyRequest, query: { viewerId?: string | undefined; _HLS_primary_id?: string | undefined }): Promise<Viewer> => {
    const cookies = request.cookies ?? {};
    const { user } = await authenticate(services, request.headers, cookies);
    const header = request.headers['x-spherecast-viewer'];
    const candidate = query.viewerId ?? (Array.isArray(header) ? header[0] : header) ?? cookies[VIEWER_COOKIE];
    return {
      userId: user?.id ?? null,
      viewerId: candidate && VIEWER_ID.test(candidate) ? candidate : null,
      primaryId: query._HLS_primary_id ?? null,
      ip: request.ip,
    };
  };

  const baseUrlOf = (request: FastifyRequest) => `${request.protocol}://${request.headers.host ?? `${services.config.host}:${services.config.port}`}`;

  app.get('/api/ads/vast', async (request, reply) => {
    const query = parse(adVastQuery, request, reply);
    if (!query) return reply;
    const xml = await vastDocumentFor(services, baseUrlOf(request), {
      contentId: query.contentId,
      position: query.position,
      viewer: await viewerOf(request, query),
    });
    return reply.header('cache-control', 'private, no-store').type('application/xml; charset=utf-8').send(xml);
  });

  app.get('/api/ads/assets', async (request, reply) => {
    const query = parse(adAssetListQuery, request, reply);
    if (!query) return reply;
    const list = await assetListFor(services, baseUrlOf(request), {
      contentId: query.contentId,
      position: query.position,
      viewer: await viewerOf(request, query),
    });
    return reply.header('cache-control', 'private, no-store').send(list);
  });

  app.get('/api/ads/beacon', async (request, reply) => {
    const query = parse(adBeaconQuery, request, reply);
    if (!query) return reply;
    const outcome = await recordBeacon(services, { impressionId: query.i, event: query.e, signature: query.s });
    reply.header('cache-control', 'no-store');
    if (outcome === 'recorded' || outcome === 'repeated') return reply.code(204).send();
    if (outcome.refused === 'unknown')
      return sendProblem(reply, 404, 'No such ad impression: use the beacon URLs of the asset list or VAST document as they were given.');
    return sendProblem(
      reply,
      403,
      outcome.refused === 'expired'
        ? 'This beacon URL has expired.'
        : 'This beacon URL is not one the origin signed: use the URLs of the asset list as they were given.',
    );
  });
}
