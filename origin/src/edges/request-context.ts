import type { FastifyReply, FastifyRequest } from 'fastify';
import { lookupSession, SESSION_COOKIE, tokenFromRequest, VIEWER_COOKIE } from '../core/sessions.ts';
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
  const token = tokenFromRequest(req.headers, cookies);
  let user: SessionUser | null = null;
  let sessionId: string | null = null;
  let authProblem: Context['authProblem'] = null;
  if (token) {
    const session = await lookupSession(services.prisma, token, services.now());
    if (session.status === 'valid') {
      user = session.user;
      sessionId = session.sessionId;
    } else {
      authProblem = session.status;
      // A stale cookie would otherwise be sent forever.
      if (cookies[SESSION_COOKIE] === token) jar.clear(SESSION_COOKIE);
    }
  }
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
    baseUrl: `${req.protocol}://${req.headers.host ?? `${services.config.host}:${services.config.port}`}`,
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
  };
}
