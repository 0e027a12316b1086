import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { IPC_CHANNELS } from './bridge.ts';
import type { DesktopBridge, ElectronTrpcBridge, IpcTrpcServerMessage } from './bridge.ts';

const electronTRPC: ElectronTrpcBridge = {
  sendMessage: (message) => ipcRenderer.send(IPC_CHANNELS.trpc, message),
  onMessage: (listener) => {
    const handler = (_event: IpcRendererEvent, message: IpcTrpcServerMessage) => listener(message);
    ipcRenderer.on(IPC_CHANNELS.trpc, handler);
    return () => ipcRenderer.removeListener(IPC_CHANNELS.trpc, handler);
  },
};

const spherecastDesktop: DesktopBridge = {
  openFileDialog: () => ipcRenderer.invoke(IPC_CHANNELS.openFileDialog) as Promise<string | null>,
  // Electron 32 removed File.path; webUtils is the supported way to learn a dropped file's path.
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('electronTRPC', electronTRPC);
contextBridge.exposeInMainWorld('spherecastDesktop', spherecastDesktop);
