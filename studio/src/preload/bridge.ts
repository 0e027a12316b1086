// The one description of what crosses the Electron process boundary. Main, preload and renderer all import
// these types, so the channel and its messages are declared once.
import type { TRPCResponseMessage } from '@trpc/server/rpc';

/** IPC channel names, one per purpose. */
export const IPC_CHANNELS = {
  /** tRPC operations (renderer → main) and their responses (main → renderer). */
  trpc: 'spherecast:trpc',
  /** The native "open file" dialog (renderer → main, invoke/handle). */
  openFileDialog: 'spherecast:open-file-dialog',
} as const;

/** A tRPC operation as the renderer sends it to main. Input is already serialized by the transformer. */
export interface IpcTrpcRequest {
  kind: 'request';
  id: number;
  type: 'query' | 'mutation' | 'subscription';
  path: string;
  input: unknown;
}

/** Stops a running subscription. */
export interface IpcTrpcStop {
  kind: 'stop';
  id: number;
}

export type IpcTrpcClientMessage = IpcTrpcRequest | IpcTrpcStop;

/** What main sends back: tRPC's own response message (data, started, stopped or error). */
export type IpcTrpcServerMessage = TRPCResponseMessage;

/** Exposed by the preload as `window.electronTRPC`: the raw tRPC message pipe. */
export interface ElectronTrpcBridge {
  sendMessage(message: IpcTrpcClientMessage): void;
  /** Registers the one response listener; returns a function that removes it. */
  onMessage(listener: (message: IpcTrpcServerMessage) => void): () => void;
}

/** Exposed by the preload as `window.spherecastDesktop`: what only the desktop shell can do. */
export interface DesktopBridge {
  /** Opens the native file dialog; resolves to the chosen absolute path, or null when cancelled. */
  openFileDialog(): Promise<string | null>;
  /** The real filesystem path of a dropped `File` (Electron's `webUtils.getPathForFile`); '' when it has none. */
  pathForFile(file: File): string;
}

declare global {
  interface Window {
    electronTRPC?: ElectronTrpcBridge;
    spherecastDesktop?: DesktopBridge;
  }
}
