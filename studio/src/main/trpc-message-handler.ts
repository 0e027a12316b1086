// Serves tRPC over a message pipe (Electron IPC in the app, a MessageChannel in tests). It follows the approach
// of electron-trpc, whose 0.7 release calls tRPC 10 internals (router.getErrorShape, procedures[path]._def[type],
// observables for subscriptions) and fails against tRPC 11. No Electron import here, so it is tested in Node.
import type { AnyRouter, inferRouterContext } from '@trpc/server';
import type { AnyRootTypes, RootConfig, TRPCErrorShape } from '@trpc/server/unstable-core-do-not-import';
import {
  callProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isTrackedEnvelope,
  transformTRPCResponse,
} from '@trpc/server/unstable-core-do-not-import';
import type { IpcTrpcClientMessage, IpcTrpcServerMessage } from '../preload/bridge.ts';

export interface TrpcMessageHandlerOptions<TRouter extends AnyRouter> {
  router: TRouter;
  /** Builds the context of one call; `clientId` names the window/frame the call came from. */
  createContext: (clientId: string) => inferRouterContext<TRouter> | Promise<inferRouterContext<TRouter>>;
  /** Called for every procedure error (for logging). */
  onError?: (error: unknown, path: string) => void;
}

export type ReplyFn = (message: IpcTrpcServerMessage) => void;

/** One instance per app: keeps the running subscriptions of every client so they can be stopped. */
export class TrpcMessageHandler<TRouter extends AnyRouter> {
  readonly #options: TrpcMessageHandlerOptions<TRouter>;
  readonly #subscriptions = new Map<string, AbortController>();

  constructor(options: TrpcMessageHandlerOptions<TRouter>) {
    this.#options = options;
  }

  /** Handles one message from `clientId`; `reply` sends a response back to that client only. */
  async handle(clientId: string, message: IpcTrpcClientMessage, reply: ReplyFn): Promise<void> {
    const key = `${clientId}:${message.id}`;
    if (message.kind === 'stop') {
      this.#subscriptions.get(key)?.abort();
      return;
    }
    const { router } = this.#options;
    // AnyRouter types its config with `any`; name the shape tRPC's helpers take.
    const config = router._def._config as RootConfig<AnyRootTypes>;
    const send = (response: IpcTrpcServerMessage) => reply(transformTRPCResponse(config, response) as IpcTrpcServerMessage);
    const { id, type, path } = message;
    const input: unknown = message.input === undefined ? undefined : config.transformer.input.deserialize(message.input);
    const abort = new AbortController();
    let ctx: inferRouterContext<TRouter> | undefined;

    if (type === 'subscription') {
      if (this.#subscriptions.has(key)) {
        this.#subscriptions.get(key)?.abort();
      }
      this.#subscriptions.set(key, abort);
    }
    try {
      ctx = await this.#options.createContext(clientId);
      const result: unknown = await callProcedure({
        router,
        path,
        type,
        ctx,
        getRawInput: () => Promise.resolve(input),
        signal: abort.signal,
        batchIndex: 0,
      });
      if (type !== 'subscription') {
        send({ id, result: { type: 'data', data: result } });
        return;
      }
      if (!isAsyncIterable(result)) throw new Error(`Subscription ${path} did not return an async iterable`);
      send({ id, result: { type: 'started' } });
      await this.#drain(result, abort.signal, (data) => {
        if (isTrackedEnvelope(data)) {
          const [eventId, payload] = data;
          send({ id, result: { type: 'data', id: eventId, data: { id: eventId, data: payload } } });
        } else {
          send({ id, result: { type: 'data', data } });
        }
      });
      send({ id, result: { type: 'stopped' } });
    } catch (cause) {
      if (abort.signal.aborted && type === 'subscription') {
        send({ id, result: { type: 'stopped' } });
        return;
      }
      const error = getTRPCErrorFromUnknown(cause);
      this.#options.onError?.(error, path);
      send({ id, error: getErrorShape({ config, error, type, path, input, ctx }) as TRPCErrorShape });
    } finally {
      if (this.#subscriptions.get(key) === abort) this.#subscriptions.delete(key);
    }
  }

  /** Stops every subscription of a client (its window closed or navigated away). */
  closeClient(clientId: string): void {
    for (const [key, controller] of this.#subscriptions) {
      if (key.startsWith(`${clientId}:`)) controller.abort();
    }
  }

  /** Stops every subscription. */
  destroy(): void {
    for (const controller of this.#subscriptions.values()) controller.abort();
    this.#subscriptions.clear();
  }

  async #drain(iterable: AsyncIterable<unknown>, signal: AbortSignal, emit: (data: unknown) => void): Promise<void> {
    const iterator = iterable[Symbol.asyncIterator]();
    const aborted = new Promise<'aborted'>((resolve) => {
      if (signal.aborted) resolve('aborted');
      signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    try {
      while (true) {
        const next = await Promise.race([iterator.next(), aborted]);
        if (next === 'aborted' || next.done) return;
        emit(next.value);
      }
    } finally {
      // Procedures receive the same signal, so a generator waiting on an event ends on abort;
      // return() then finishes it and runs its finally blocks. Do not wait on a stuck one.
      void iterator.return?.().catch(() => undefined);
    }
  }
}
