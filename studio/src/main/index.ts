// The desktop shell: one window, the engine in this process, tRPC over IPC, the native file dialog, and the
// `spherecast-media:` protocol that feeds project sources to the preview. All studio work is in ../engine.
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, shell } from 'electron';
import { loadStudioConfig } from '../engine/config.ts';
import { respondWithSource } from '../engine/http/source-response.ts';
import { studioRouter } from '../engine/router.ts';
import { StudioEngine } from '../engine/studio-engine.ts';
import type { StudioContext } from '../engine/trpc.ts';
import { IPC_CHANNELS } from '../preload/bridge.ts';
import { IpcTrpcServer } from './ipc-handler.ts';

const MEDIA_SCHEME = 'spherecast-media';
const here = path.dirname(fileURLToPath(import.meta.url));

/** `spherecast-media://projects/<id>/source`: by project id, like the browser mode's /media route. */
function mediaUrl(projectId: string): string {
  return `${MEDIA_SCHEME}://projects/${projectId}/source`;
}

// Must happen before `ready`: lets <video> stream and seek (Range) and WebGL read the frames (CORS).
protocol.registerSchemesAsPrivileged([
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: true } },
]);

const VIDEO_AND_PHOTO_EXTENSIONS = ['mp4', 'm4v', 'mov', 'mkv', 'webm', 'ts', 'jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff'];

class DesktopApp {
  #engine: StudioEngine | null = null;
  #ipc: IpcTrpcServer<typeof studioRouter> | null = null;
  #window: BrowserWindow | null = null;

  async start(): Promise<void> {
    await app.whenReady();
    const config = loadStudioConfig({ STUDIO_DATA_DIR: app.getPath('userData'), ...process.env });
    const engine = new StudioEngine({ dataDir: config.dataDir, jobConcurrency: config.jobConcurrency });
    await engine.start();
    this.#engine = engine;

    protocol.handle(MEDIA_SCHEME, async (request) => {
      const url = new URL(request.url);
      const match = url.host === 'projects' ? /^\/([^/]+)\/source$/.exec(url.pathname) : null;
      if (!match) return new Response('Not found', { status: 404 });
      const answer = await respondWithSource(engine, decodeURIComponent(match[1] ?? ''), {
        method: request.method,
        range: request.headers.get('range') ?? undefined,
      });
      const headers = new Headers({ ...answer.headers, 'access-control-allow-origin': '*' });
      const body = answer.body ? (Readable.toWeb(answer.body) as ReadableStream<Uint8Array>) : (answer.message ?? null);
      return new Response(body, { status: answer.status, headers });
    });

    this.#ipc = new IpcTrpcServer({
      router: studioRouter,
      createContext: (): StudioContext => ({ engine, mediaUrl }),
      onError: (error, procedure) => console.error(`tRPC ${procedure} failed:`, error),
    });
    this.#ipc.start();

    ipcMain.handle(IPC_CHANNELS.openFileDialog, async (event) => {
      const owner = BrowserWindow.fromWebContents(event.sender);
      const options: Electron.OpenDialogOptions = {
        title: 'Open a 360° video or photo',
        properties: ['openFile'],
        filters: [
          { name: '360° video or photo', extensions: VIDEO_AND_PHOTO_EXTENSIONS },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    });

    this.#openWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) this.#openWindow();
    });
    app.on('window-all-closed', () => {
      if (process.platform !== 'darwin') app.quit();
    });
    app.on('will-quit', (event) => {
      if (!this.#engine) return;
      event.preventDefault();
      void this.destroy().finally(() => app.exit(0));
    });
  }

  async destroy(): Promise<void> {
    ipcMain.removeHandler(IPC_CHANNELS.openFileDialog);
    this.#ipc?.destroy();
    this.#ipc = null;
    const engine = this.#engine;
    this.#engine = null;
    await engine?.destroy();
  }

  #openWindow(): void {
    const window = new BrowserWindow({
      width: 1400,
      height: 900,
      minWidth: 960,
      minHeight: 640,
      title: 'Spherecast Studio',
      backgroundColor: '#0f1115',
      show: false,
      webPreferences: {
        preload: path.join(here, '../preload/index.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
      },
    });
    this.#window = window;
    this.#ipc?.attachWindow(window);
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => {
      if (this.#window === window) this.#window = null;
    });
    // Links open in the user's browser; the studio window never navigates away from its UI.
    window.webContents.setWindowOpenHandler(({ url }) => {
      if (/^https?:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    // Also stops a file dropped outside the drop zone from replacing the UI.
    window.webContents.on('will-navigate', (event) => event.preventDefault());
    const devServer = process.env['ELECTRON_RENDERER_URL'];
    if (!app.isPackaged && devServer) void window.loadURL(devServer);
    else void window.loadFile(path.join(here, '../renderer/index.html'));
  }
}

const desktop = new DesktopApp();
desktop.start().catch((error: unknown) => {
  dialog.showErrorBox('Spherecast Studio could not start', error instanceof Error ? error.message : String(error));
  app.exit(1);
});
