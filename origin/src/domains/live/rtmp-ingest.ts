/**
 * The RTMP ingest for OBS and other encoders: `rtmp://HOST:RTMP_PORT/live/<streamKey>`. The RTMP
 * protocol is node-media-server's (its sessions and relay, without its HTTP server, store or
 * recorder); this class owns the listening socket and decides who may publish: an unknown key, or
 * the key of an ended channel, is disconnected before any media is taken. Each accepted publish
 * starts a transcoder process (transcoder-main.ts) that plays the stream back over loopback and
 * pushes the live ladder to the channel's HLS ingest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { LIVE_SEGMENT_SECONDS } from '@spherecast/shared/media';
import type { LiveServices } from './broadcast.ts';
import { channelOfKey } from './ingest.ts';
import type { TranscoderOptions } from './transcoder.ts';

/** What this file uses of node-media-server's RtmpSession (it ships no types). */
interface NmsRtmpSession {
  streamApp?: string;
  streamName?: string;
  isPublisher?: boolean;
  run(): void;
  rtmp: { onPushCallback: () => void; onPlayCallback: () => void };
}
type NmsRtmpSessionClass = new (socket: net.Socket) => NmsRtmpSession;

const require = createRequire(import.meta.url);

function loadNodeMediaServer(): NmsRtmpSessionClass {
  // node-media-server keeps its state in one module-level Context (config, sessions, broadcasts):
  // one RTMP ingest per process. Its logger prints to stdout: errors only.
  const logger = require('node-media-server/src/core/logger.js') as { level: string };
  logger.level = 'error';
  return require('node-media-server/src/session/rtmp_session.js') as NmsRtmpSessionClass;
}

const TRANSCODER_MAIN = fileURLToPath(new URL('./transcoder-main.ts', import.meta.url));

export interface RtmpIngestOptions {
  /** Interface and port to listen on (port 0: any free one). */
  host: string;
  port: number;
  /** The origin's own base URL, where transcoders push (e.g. http://127.0.0.1:8080). */
  originUrl: () => string;
  log: { info(message: string): void; warn(message: string): void };
}

const isLoopback = (address: string | undefined) => address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

export class RtmpIngest {
  #server: net.Server | null = null;
  readonly #sockets = new Set<net.Socket>();
  readonly #transcoders = new Set<ChildProcess>();
  #port = 0;

  constructor(
    private readonly services: LiveServices,
    private readonly options: RtmpIngestOptions,
  ) {}

  get port(): number {
    return this.#port;
  }

  async start(): Promise<number> {
    const RtmpSession = loadNodeMediaServer();
    const server = net.createServer((socket) => this.#accept(RtmpSession, socket));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.options.port, this.options.host, resolve));
    this.#server = server;
    const address = server.address();
    this.#port = typeof address === 'object' && address ? address.port : this.options.port;
    return this.#port;
  }

  #accept(RtmpSession: NmsRtmpSessionClass, socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    const session = new RtmpSession(socket);
    session.run();
    const publish = session.rtmp.onPushCallback;
    const play = session.rtmp.onPlayCallback;
    // Playing is for the transcoders on this machine only.
    session.rtmp.onPlayCallback = () => (isLoopback(socket.remoteAddress) ? play() : socket.destroy());
    session.rtmp.onPushCallback = () => {
      // Nothing more is read until the key is checked; a refused publisher is cut off.
      socket.pause();
      const key = session.streamName ?? '';
      this.#authorize(session.streamApp, key).then(
        (channelId) => {
          if (channelId === null || socket.destroyed) {
            this.options.log.warn(`RTMP publish refused from ${socket.remoteAddress ?? '?'}: unknown or ended stream key`);
            socket.destroy();
            return;
          }
          publish();
          socket.resume();
          if (session.isPublisher) void this.#transcode(channelId, key, socket);
        },
        (error: unknown) => {
          this.options.log.warn(`RTMP publish check failed: ${(error as Error).message}`);
          socket.destroy();
        },
      );
    };
  }

  async #authorize(app: string | undefined, key: string): Promise<string | null> {
    if (app !== 'live' || !/^[A-Za-z0-9_-]{20,200}$/.test(key)) return null;
    const channel = await channelOfKey(this.services.prisma, key);
    return channel && channel.state !== 'ended' ? channel.id : null;
  }

  /** Starts a transcoder for a publish; it is stopped (and finishes its last segment) when the publisher leaves. */
  async #transcode(channelId: string, key: string, socket: net.Socket): Promise<void> {
    const last = await this.services.prisma.liveSegment.aggregate({ where: { channelId }, _max: { sequence: true } });
    const options: TranscoderOptions = {
      input: `rtmp://127.0.0.1:${this.#port}/live/${key}`,
      ingestUrl: `${this.options.originUrl()}/live/${channelId}`,
      streamKey: key,
      rungs: this.services.config.liveRtmpRungs,
      preset: this.services.config.liveRtmpPreset as TranscoderOptions['preset'],
      segmentSeconds: LIVE_SEGMENT_SECONDS.default,
      startNumber: (last._max.sequence ?? -1) + 1,
    };
    if (socket.destroyed) return;
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), TRANSCODER_MAIN], {
      env: { ...process.env, SPHERECAST_LIVE_TRANSCODER: JSON.stringify(options) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.#transcoders.add(child);
    this.options.log.info(`RTMP publish on channel ${channelId}: transcoder ${child.pid ?? '?'} started`);
    const stop = () => child.kill('SIGTERM');
    socket.once('close', stop);
    child.once('exit', (code) => {
      this.#transcoders.delete(child);
      socket.off('close', stop);
      if (code !== 0 && !socket.destroyed) this.options.log.warn(`live transcoder for channel ${channelId} exited with ${code}`);
    });
  }

  async destroy(): Promise<void> {
    const exits = [...this.#transcoders].map(
      (child) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve()))),
    );
    for (const child of this.#transcoders) child.kill('SIGTERM');
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server = null;
    await Promise.all(exits);
  }
}
