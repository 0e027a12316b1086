import assert from 'node:assert/strict';
import { on, EventEmitter } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import { after, describe, it } from 'node:test';
import { createTRPCClient } from '@trpc/client';
import { initTRPC, TRPCError } from '@trpc/server';
import type { AnyRouter, inferRouterContext } from '@trpc/server';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { studioRouter } from '../engine/router.ts';
import { StudioEngine } from '../engine/studio-engine.ts';
import { z } from 'zod';
import type { ElectronTrpcBridge, IpcTrpcClientMessage, IpcTrpcServerMessage } from '../preload/bridge.ts';
import { ipcLink } from '../renderer/src/trpc/ipc-link.ts';
import { TrpcMessageHandler } from './trpc-message-handler.ts';

// The transport under test is a real message pipe (worker_threads MessageChannel, structured clone like
// Electron IPC) between the renderer's ipcLink and main's TrpcMessageHandler.
const t = initTRPC.context<{ who: string }>().create();
const ticks = new EventEmitter();
let activeSubscriptions = 0;
const router = t.router({
  greet: t.procedure.input(z.object({ name: z.string() })).query(({ input, ctx }) => `hello ${input.name} from ${ctx.who}`),
  fail: t.procedure.mutation(() => {
    throw new TRPCError({ code: 'CONFLICT', message: 'Cancel the running job first.' });
  }),
  ticks: t.procedure.subscription(async function* ({ signal }) {
    activeSubscriptions++;
    try {
      for await (const [value] of on(ticks, 'tick', { signal })) yield value as number;
    } finally {
      activeSubscriptions--;
    }
  }),
});

function connect() {
  return connectRouter(router, (clientId) => ({ who: clientId }));
}

function connectRouter<TRouter extends AnyRouter>(router: TRouter, createContext: (clientId: string) => inferRouterContext<TRouter>) {
  const { port1, port2 } = new MessageChannel();
  const handler = new TrpcMessageHandler({ router, createContext });
  port2.on('message', (message: IpcTrpcClientMessage) => {
    void handler.handle('window-1', message, (response) => port2.postMessage(response));
  });
  const bridge: ElectronTrpcBridge = {
    sendMessage: (message) => port1.postMessage(message),
    onMessage: (listener) => {
      const wrapped = (message: IpcTrpcServerMessage) => listener(message);
      port1.on('message', wrapped);
      return () => port1.off('message', wrapped);
    },
  };
  const client = createTRPCClient<TRouter>({ links: [ipcLink<TRouter>(bridge)] });
  return {
    client,
    handler,
    close: () => {
      handler.destroy();
      port1.close();
      port2.close();
    },
  };
}

async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('tRPC over a message pipe (Electron IPC stand-in)', () => {
  const pipe = connect();
  after(() => pipe.close());

  it('answers a query with its input and the per-client context', async () => {
    assert.equal(await pipe.client.greet.query({ name: 'ada' }), 'hello ada from window-1');
  });

  it('rejects invalid input with BAD_REQUEST and passes thrown TRPCErrors through with code and message', async () => {
    await assert.rejects(pipe.client.greet.query({ name: 42 as unknown as string }), (error: { data?: { code?: string } }) => {
      assert.equal(error.data?.code, 'BAD_REQUEST');
      return true;
    });
    await assert.rejects(pipe.client.fail.mutate(), (error: Error & { data?: { code?: string } }) => {
      assert.equal(error.data?.code, 'CONFLICT');
      assert.equal(error.message, 'Cancel the running job first.');
      return true;
    });
  });

  it('streams subscription events and stops the server generator on unsubscribe', async () => {
    const received: number[] = [];
    let started = false;
    const subscription = pipe.client.ticks.subscribe(undefined, {
      onStarted: () => {
        started = true;
      },
      onData: (value) => received.push(value),
    });
    await waitFor(() => started && activeSubscriptions === 1, 'subscription start');
    ticks.emit('tick', 1);
    ticks.emit('tick', 2);
    await waitFor(() => received.length === 2, 'two events');
    assert.deepEqual(received, [1, 2]);
    subscription.unsubscribe();
    await waitFor(() => activeSubscriptions === 0, 'server generator to finish');
  });

  it('stops every subscription of a client when its window goes away', async () => {
    pipe.client.ticks.subscribe(undefined, {});
    pipe.client.ticks.subscribe(undefined, {});
    await waitFor(() => activeSubscriptions === 2, 'two subscriptions');
    pipe.handler.closeClient('window-1');
    await waitFor(() => activeSubscriptions === 0, 'subscriptions to stop');
  });
});

describe('the studio router over the message pipe (what the desktop app runs)', () => {
  it('answers queries, maps studio errors and streams job events', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'studio-ipc-'));
    const engine = new StudioEngine({ dataDir, warn: () => undefined });
    await engine.start();
    const pipe = connectRouter(studioRouter, () => ({ engine, mediaUrl: (id: string) => `spherecast-media://projects/${id}/source` }));
    try {
      assert.deepEqual(await pipe.client.projects.list.query(), []);
      assert.equal((await pipe.client.app.info.query()).dataDir, dataDir);
      await assert.rejects(
        pipe.client.projects.add.mutate({ path: path.join(dataDir, 'missing.mp4') }),
        (error: Error & { data?: { code?: string; studio?: { code: string } | null } }) => {
          assert.equal(error.data?.code, 'NOT_FOUND');
          assert.equal(error.data?.studio?.code, 'SOURCE_NOT_FOUND');
          assert.match(error.message, /No file at/);
          return true;
        },
      );
      let started = false;
      const subscription = pipe.client.jobs.watch.subscribe(undefined, {
        onStarted: () => {
          started = true;
        },
      });
      await waitFor(() => started, 'jobs.watch to start');
      subscription.unsubscribe();
    } finally {
      pipe.close();
      await engine.destroy();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
