import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '@spherecast/shared';
import type { PrismaClient } from '../db/database.ts';

/** The caller as every procedure and route sees it once their token was accepted. */
export interface SessionUser {
  id: string;
  username: string;
  role: Role;
}

export const SESSION_COOKIE = 'sc_session';
export const VIEWER_COOKIE = 'sc_viewer';

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Issues a bearer token (256 random bits); only its hash is stored. */
export async function createSession(prisma: PrismaClient, userId: string, ttlMs: number, now: Date) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlMs);
  const session = await prisma.authSession.create({
    data: { userId, tokenHash: hashToken(token), expiresAt },
    select: { id: true },
  });
  return { token, expiresAt, sessionId: session.id };
}

export type SessionLookup = { status: 'valid'; user: SessionUser; sessionId: string } | { status: 'expired' | 'invalid' };

export async function lookupSession(prisma: PrismaClient, token: string, now: Date): Promise<SessionLookup> {
  if (token.length < 20 || token.length > 200) return { status: 'invalid' };
  const session = await prisma.authSession.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, expiresAt: true, revokedAt: true, user: { select: { id: true, username: true, role: true } } },
  });
  if (!session || session.revokedAt) return { status: 'invalid' };
  if (session.expiresAt <= now) return { status: 'expired' };
  return { status: 'valid', user: session.user, sessionId: session.id };
}

/** What to tell a client that is not signed in, given why its token (if any) was not accepted. */
export function signInRequiredMessage(problem: 'expired' | 'invalid' | null, action = 'do this'): string {
  if (problem === 'expired') return 'Your session has expired. Sign in again.';
  if (problem === 'invalid') return 'That sign-in token is not valid (it may have been signed out). Sign in again.';
  return `Sign in to ${action}.`;
}

export async function revokeSession(prisma: PrismaClient, sessionId: string, now: Date): Promise<void> {
  await prisma.authSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: now } });
}

/** Reads a bearer token from the Authorization header, falling back to the session cookie. */
export function tokenFromRequest(headers: Record<string, string | string[] | undefined>, cookies: Record<string, string | undefined>): string | null {
  const header = headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  if (value) {
    const match = /^Bearer\s+(\S+)$/i.exec(value);
    return match?.[1] ?? null;
  }
  return cookies[SESSION_COOKIE] ?? null;
}
