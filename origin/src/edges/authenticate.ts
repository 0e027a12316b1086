import { lookupSession, tokenFromRequest, type SessionUser } from '../core/sessions.ts';
import type { OriginServices } from '../core/services.ts';

/** Who is calling, as every edge (tRPC, REST, /media) sees it. */
export interface Caller {
  user: SessionUser | null;
  sessionId: string | null;
  /** Why a presented token was not accepted, so edges can say what to do. */
  authProblem: 'expired' | 'invalid' | null;
  /** The token presented (header or cookie), accepted or not. */
  token: string | null;
}

/** The one place a request's bearer token or session cookie becomes a user. */
export async function authenticate(
  services: Pick<OriginServices, 'prisma' | 'now'>,
  headers: Record<string, string | string[] | undefined>,
  cookies: Record<string, string | undefined>,
): Promise<Caller> {
  const token = tokenFromRequest(headers, cookies);
  if (!token) return { user: null, sessionId: null, authProblem: null, token: null };
  const session = await lookupSession(services.prisma, token, services.now());
  if (session.status === 'valid') return { user: session.user, sessionId: session.sessionId, authProblem: null, token };
  return { user: null, sessionId: null, authProblem: session.status, token };
}
