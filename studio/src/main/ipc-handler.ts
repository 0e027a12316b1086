import { ipcMain } from 'electron';
import type { BrowserWindow, IpcMainEvent } from 'electron';
import type { AnyRouter } from '@trpc/server';
import { IPC_CHANNELS } from '../preload/bridge.ts';
import type { IpcTrpcClientMessage } from '../preload/bridge.ts';
import { TrpcMessageHandler } from './trpc-message-handler.ts';
import type { TrpcMessageHandlerOptions } from './trpc-message-handler.ts';

/** Connects a TrpcMessageHandler to Electron's ipcMain; plays the role of electron-trpc's createIPCHandler. */
export class IpcTrpcServer<TRouter extends AnyRouter> {
  readonly #handler: TrpcMessageHandler<TRouter>;
  readonly #onMessage = (event: IpcMainEvent, message: IpcTrpcClientMessage) => {
    const sender = event.sender;
    void this.#handler.handle(String(sender.id), message, (response) => {
      if (!sender.isDestroyed()) sender.send(IPC_CHANNELS.trpc, response);
    });
  };

  constructor(options: TrpcMessageHandlerOptions<TRouter>) {
    this.#handler = new TrpcMessageHandler(options);
  }

  start(): void {
    ipcMain.on(IPC_CHANNELS.trpc, this.#onMessage);
  }

  /** Stops a window's subscriptions when it reloads or closes. */
  attachWindow(window: BrowserWindow): void {
    const clientId = String(window.webContents.id);
    window.webContents.on('did-start-navigation', (details) => {
      if (!details.isSameDocument && details.isMainFrame) this.#handler.closeClient(clientId);
    });
    window.webContents.once('destroyed', () => this.#handler.closeClient(clientId));
  }

  destroy(): void {
    ipcMain.removeListener(IPC_CHANNELS.trpc, this.#onMessage);
    this.#handler.destroy();
  }
}
