// The renderer half of tRPC over Electron IPC (main half: main/trpc-message-handler.ts).
import { TRPCClientError } from '@trpc/client';
import type { TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import type { ElectronTrpcBridge, IpcTrpcServerMessage } from '../../../preload/bridge.ts';

type Listener = (message: IpcTrpcServerMessage) => void;

/** Routes responses to the operation that asked; one instance per bridge. */
class IpcClient {
  readonly #bridge: ElectronTrpcBridge;
  readonly #listeners = new Map<number, Listener>();
  #nextId = 1;

  constructor(bridge: ElectronTrpcBridge) {
    this.#bridge = bridge;
    bridge.onMessage((message) => {
      if (typeof message.id === 'number') this.#listeners.get(message.id)?.(message);
    });
  }

  request(op: { type: 'query' | 'mutation' | 'subscription'; path: string; input: unknown }, listener: Listener): () => void {
    const id = this.#nextId++;
    this.#listeners.set(id, listener);
    this.#bridge.sendMessage({ kind: 'request', id, type: op.type, path: op.path, input: op.input });
    return () => {
      if (!this.#listeners.delete(id)) return;
      if (op.type === 'subscription') this.#bridge.sendMessage({ kind: 'stop', id });
    };
  }
}

/**
 * A tRPC link over a message bridge (window.electronTRPC in the app). The studio router uses no data
 * transformer: values cross IPC as structured-clone-safe JSON.
 */
export function ipcLink<TRouter extends AnyRouter>(bridge: ElectronTrpcBridge): TRPCLink<TRouter> {
  const client = new IpcClient(bridge);
  return () =>
    ({ op }) =>
      observable((observer) => {
        let done = false;
        const stop = client.request({ type: op.type, path: op.path, input: op.input }, (message) => {
          if ('error' in message) {
            done = true;
            stop();
            observer.error(TRPCClientError.from(message));
            return;
          }
          const result = message.result;
          if (result.type === 'stopped') {
            done = true;
            stop();
            observer.complete();
            return;
          }
          if (result.type === 'started') {
            observer.next({ result: { type: 'started' } });
            return;
          }
          const data: unknown = result.data;
          observer.next({ result: { type: 'data', data, ...(result.id === undefined ? {} : { id: result.id }) } });
          if (op.type !== 'subscription') {
            done = true;
            stop();
            observer.complete();
          }
        });
        return () => {
          if (!done) stop();
        };
      });
}
