import { initTRPC, TRPCError } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { ZodError } from 'zod';
import type { Role } from '@spherecast/shared';
import type { MediaLinks } from './media-links.ts';
import { signInRequiredMessage, type SessionUser } from './sessions.ts';
import type { OriginServices } from './services.ts';
import { fromDatabaseError, InputValidationError } from './errors.ts';

export type { SessionUser };

/** Cookies a procedure may set; a no-op outside HTTP (createCaller in tests). */
export interface CookieJar {
  set(name: string, value: string, options: { maxAgeSeconds: number }): void;
  clear(name: string): void;
}

export interface Context extends OriginServices {
  user: SessionUser | null;
  sessionId: string | null;
  /** Why a presented token was not accepted, so protected procedures can say what to do. */
  authProblem: 'expired' | 'invalid' | null;
  /** A random id an anonymous browser keeps, to resume playback without an account. */
  viewerId: string | null;
  cookies: CookieJar;
  /** Absolute base URL of this origin as the client reached it, e.g. http://localhost:8080. */
  baseUrl: string;
  /** Media URLs for this caller: plain for public content, signed for private and unlisted. */
  mediaLinks: MediaLinks;
  /** The client's address, for rate limits ('direct' outside HTTP). */
  ip: string;
}

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    // Never send stack traces to clients, whatever NODE_ENV says.
    isDev: false,
    // Subscriptions (server-sent events): a ping keeps proxies from closing a quiet stream, and a
    // client that hears nothing (not even a ping) for 40 s reconnects with its last event id.
    sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 40_000 } },
    errorFormatter({ shape, error }) {
      const issues = error.cause instanceof InputValidationError ? error.cause.issues : undefined;
      const message =
        error.code === 'INTERNAL_SERVER_ERROR' ? 'Something went wrong on the server. Try again; if it keeps happening, contact the operator.' : shape.message;
      return { ...shape, message, data: { code: shape.data.code, httpStatus: shape.data.httpStatus, issues } };
    },
  });

/**
 * Sits before input parsing, so it sees validation failures and database errors of every procedure
 * and turns them into answers a client can act on.
 */
const errorTranslation = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const { error } = result;
  if (error.code === 'BAD_REQUEST' && error.cause instanceof ZodError) {
    const cause = new InputValidationError(error.cause.issues);
    throw new TRPCError({ code: 'BAD_REQUEST', message: cause.message, cause });
  }
  const translated = fromDatabaseError(error.cause);
  if (translated) throw translated;
  return result;
});

const requireUser = t.middleware(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: signInRequiredMessage(ctx.authProblem) });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

function requireRole(...roles: Role[]) {
  return t.middleware(({ ctx, next }) => {
    if (!ctx.user || !roles.includes(ctx.user.role)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `Only ${roles.join(' or ')} accounts can do this.` });
    }
    return next();
  });
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(errorTranslation);
export const protectedProcedure = publicProcedure.use(requireUser);
export const creatorProcedure = protectedProcedure.use(requireRole('creator', 'admin'));
export const adminProcedure = protectedProcedure.use(requireRole('admin'));
