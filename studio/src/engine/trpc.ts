// The one place tRPC is created for the studio engine. Routers and procedures use only these builders.
import { initTRPC } from '@trpc/server';
import { ZodError } from 'zod';
import { StudioError } from './errors.ts';
import type { StudioErrorData } from './errors.ts';
import type { StudioEngine } from './studio-engine.ts';

/** What every procedure receives. */
export interface StudioContext {
  engine: StudioEngine;
  /**
   * The URL the renderer loads a project's source from: `/media/projects/<id>/source` on the browser-mode
   * server, `spherecast-media://projects/<id>/source` in the desktop app. Always by project id, never by path.
   */
  mediaUrl: (projectId: string) => string;
}

const t = initTRPC.context<StudioContext>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const studio: StudioErrorData | null = error instanceof StudioError ? error.toData() : null;
    // zod's own message is a JSON dump; the first issue is the sentence a person can act on.
    const zodIssue = cause instanceof ZodError ? cause.issues[0] : undefined;
    return {
      ...shape,
      message: zodIssue ? `${zodIssue.path.length ? `${zodIssue.path.join('.')}: ` : ''}${zodIssue.message}` : shape.message,
      data: { ...shape.data, studio, stack: undefined },
    };
  },
});

export const router = t.router;
export const publicProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;

/** Procedures that talk to the signed-in origin. */
export const originProcedure = t.procedure.use(({ ctx, next }) => {
  return next({ ctx: { ...ctx, origin: ctx.engine.origin.credentials() } });
});
