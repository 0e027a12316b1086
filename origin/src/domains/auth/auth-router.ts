import { TRPCError } from '@trpc/server';
import { authResultSchema, loginInput, meSchema, okSchema, registerInput, sessionStateSchema } from '@spherecast/shared';
import { z } from 'zod';
import { protectedProcedure, publicProcedure, router } from '../../core/trpc.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { createSession, revokeSession, SESSION_COOKIE } from '../../core/sessions.ts';
import { meSelect } from '../../core/user-select.ts';
import type { LoginAttempt } from '../../core/login-throttle.ts';
import { RateLimitedError, tooManyRequests } from '../../core/rate-limit.ts';

export const authRouter = router({
  register: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/auth/register', tags: ['auth'], summary: 'Create an account and sign in' } })
    .input(registerInput)
    .output(authResultSchema)
    .mutation(async ({ ctx, input }) => {
      const taken = await ctx.prisma.user.findFirst({
        where: { OR: [{ username: input.username }, { email: input.email }] },
        select: { username: true },
      });
      if (taken) {
        const field = taken.username === input.username ? 'username' : 'email address';
        throw new TRPCError({ code: 'CONFLICT', message: `That ${field} is already registered. Choose another or sign in.` });
      }
      const user = await ctx.prisma.user.create({
        data: {
          username: input.username,
          email: input.email,
          displayName: input.displayName ?? input.username,
          passwordHash: await hashPassword(input.password),
          role: input.role,
        },
        select: meSelect,
      });
      const session = await createSession(ctx.prisma, user.id, ctx.config.sessionTtlMs, ctx.now());
      ctx.cookies.set(SESSION_COOKIE, session.token, { maxAgeSeconds: ctx.config.sessionTtlMs / 1000 });
      return { token: session.token, expiresAt: session.expiresAt, user };
    }),

  login: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/auth/login', tags: ['auth'], summary: 'Sign in with a username or email' } })
    .input(loginInput)
    .output(authResultSchema)
    .mutation(async ({ ctx, input }) => {
      // Reserved before anything is awaited, so every call of a tRPC batch and every concurrent
      // request is counted before any password is checked; only a success takes it back.
      let attempt: LoginAttempt;
      try {
        attempt = ctx.loginThrottle.reserve(ctx.ip, input.login);
      } catch (error) {
        if (error instanceof RateLimitedError) throw tooManyRequests(error);
        throw error;
      }
      let found;
      let ok: boolean;
      try {
        found = await ctx.prisma.user.findFirst({
          where: { OR: [{ username: input.login }, { email: input.login }] },
          select: { ...meSelect, passwordHash: true },
        });
        ok = await verifyPassword(found?.passwordHash ?? null, input.password);
      } catch (error) {
        attempt.abandoned();
        throw error;
      }
      if (!found || !ok) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong username, email or password.' });
      attempt.succeeded();
      const { passwordHash: _omitted, ...user } = found;
      const session = await createSession(ctx.prisma, user.id, ctx.config.sessionTtlMs, ctx.now());
      ctx.cookies.set(SESSION_COOKIE, session.token, { maxAgeSeconds: ctx.config.sessionTtlMs / 1000 });
      return { token: session.token, expiresAt: session.expiresAt, user };
    }),

  logout: protectedProcedure
    .meta({ openapi: { method: 'POST', path: '/auth/logout', tags: ['auth'], summary: 'Sign out (revokes the token)', protect: true } })
    .input(z.object({}).optional())
    .output(okSchema)
    .mutation(async ({ ctx }) => {
      if (ctx.sessionId) await revokeSession(ctx.prisma, ctx.sessionId, ctx.now());
      ctx.cookies.clear(SESSION_COOKIE);
      return { ok: true as const };
    }),

  session: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/auth/session', tags: ['auth'], summary: 'Who is signed in: the user, or null when signed out (never 401)' } })
    .input(z.object({}).optional())
    .output(sessionStateSchema)
    .query(async ({ ctx }) => {
      if (!ctx.user) return { user: null };
      const user = await ctx.prisma.user.findUnique({ where: { id: ctx.user.id }, select: meSelect });
      return { user };
    }),

  me: protectedProcedure
    .meta({ openapi: { method: 'GET', path: '/me', tags: ['auth'], summary: 'The signed-in user', protect: true } })
    .input(z.object({}).optional())
    .output(meSchema)
    .query(async ({ ctx }) => {
      const user = await ctx.prisma.user.findUnique({ where: { id: ctx.user.id }, select: meSelect });
      if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'This account no longer exists.' });
      return user;
    }),
});
