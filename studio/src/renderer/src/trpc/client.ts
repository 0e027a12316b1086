import { createTRPCClient, httpBatchLink, httpSubscriptionLink, isTRPCClientError, splitLink } from '@trpc/client';
import type { TRPCLink } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { StudioRouter } from '../../../engine/router.ts';
import { ipcLink } from './ipc-link.ts';

export type StudioInputs = inferRouterInputs<StudioRouter>;
export type StudioOutputs = inferRouterOutputs<StudioRouter>;

/** Which transport the renderer uses: Electron IPC in the desktop app, HTTP + SSE in a browser. */
export type StudioTransport = 'ipc' | 'http';

/**
 * The engine's client. In the desktop app the preload exposes `window.electronTRPC` and calls travel over IPC;
 * in a browser (`studio:web`) they go to the engine server that served this page: queries and mutations batched
 * over HTTP, subscriptions over server-sent events.
 */
export function createStudioClient(): { client: ReturnType<typeof createTRPCClient<StudioRouter>>; transport: StudioTransport } {
  const bridge = window.electronTRPC;
  let links: TRPCLink<StudioRouter>[];
  if (bridge) {
    links = [ipcLink<StudioRouter>(bridge)];
  } else {
    const url = new URL('/trpc', window.location.href).toString();
    links = [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url }),
        false: httpBatchLink({ url }),
      }),
    ];
  }
  return { client: createTRPCClient<StudioRouter>({ links }), transport: bridge ? 'ipc' : 'http' };
}

export type StudioClient = ReturnType<typeof createStudioClient>['client'];

/** The sentence to show for a failed call: the engine's own message, or what to do when it cannot be reached. */
export function describeError(error: unknown): string {
  if (isTRPCClientError(error)) {
    if (error.message === 'Failed to fetch' || error.message.includes('fetch')) {
      return 'The studio engine is not answering. Check that `npm run studio:web -w studio` is still running, then retry.';
    }
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
