import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, VIEWER_COOKIE } from '../core/sessions.ts';
import { MediaLinks } from '../core/media-links.ts';
import { authenticate } from './authenticate.ts';
import type { OriginServices } from '../core/services.ts';
import type { Context, CookieJar, SessionUser } from '../core/trpc.ts';

const VIEWER_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** Builds the context of one HTTP request: the signed-in user (if any), cookies, the anonymous viewer id. */
export async function createRequestContext(services: OriginServices, req: FastifyRequest, res: FastifyReply): Promise<Context> {
  const cookies = req.cookies ?? {};
  const secure = req.protocol === 'https';
  const jar: CookieJar = {
    set: (name, value, { maxAgeSeconds }) => {
      void res.setCookie(name, value, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: Math.floor(maxAgeSeconds) });
    },
    clear: (name) => {
      void res.clearCookie(name, { path: '/' });
    },
  };
  const { user, sessionId, authProblem, token } = await authenticate(services, req.headers, cookies);
  // A stale cookie would otherwise be sent forever.
  if (authProblem && cookies[SESSION_COOKIE] === token) jar.clear(SESSION_COOKIE);
  const baseUrl = `${req.protocol}://${req.headers.host ?? `${services.config.host}:${services.config.port}`}`;
  const headerViewer = req.headers['x-spherecast-viewer'];
  const viewerCandidate = (Array.isArray(headerViewer) ? headerViewer[0] : headerViewer) ?? cookies[VIEWER_COOKIE];
  const trackerUrl = services.trackerUrl ?? embeddedTrackerUrl(services, req);
  return {
    ...services,
    trackerUrl,
    user,
    sessionId,
    authProblem,
    viewerId: viewerCandidate && VIEWER_ID.test(viewerCandidate) ? viewerCandidate : null,
    cookies: jar,
    ip: req.ip,
    baseUrl,
    mediaLinks: new MediaLinks(baseUrl, services.mediaSigner),
  };
}

/**
 * The embedded tracker at the host name the client reached the origin by (a headset on the LAN gets
 * an address it can reach, not 127.0.0.1), with the scheme its page may open: a page served over
 * HTTPS may only open wss:// WebSockets.
 */
function embeddedTrackerUrl(services: OriginServices, req: FastifyRequest): string | null {
  // On the origin's own port: the certificate a headset accepted for the page covers it.
  if (services.trackerPath !== null && req.host) return `${req.protocol === 'https' ? 'wss' : 'ws'}://${req.host}${services.trackerPath}`;
  if (services.embeddedTrackerPort === null) return null;
  return `${services.embeddedTrackerSecure ? 'wss' : 'ws'}://${req.hostname || services.config.host}:${services.embeddedTrackerPort}`;
}

/** A context for calling procedures directly (tests, the demo seeder): no HTTP, no cookies. */
export function createDirectContext(services: OriginServices, user: SessionUser | null, baseUrl = 'http://localhost'): Context {
  return {
    ...services,
    user,
    sessionId: null,
    authProblem: null,
    viewerId: null,
    cookies: { set: () => undefined, clear: () => undefined },
    ip: 'direct',
    baseUrl,
    mediaLinks: new MediaLinks(baseUrl, services.mediaSigner),
  };
}
