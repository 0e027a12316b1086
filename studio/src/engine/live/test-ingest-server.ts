/**
 * For tests: a small real HTTP server that implements the origin's live contract strictly (the
 * channel API and the HLS push ingest: names, stream key, sizes, init before segments, increasing
 * segment numbers, ended channels) and writes what it accepts to a folder. It is a test peer of the
 * pusher, not a copy of the origin: no database, no viewers' playlists. It can be stopped and started
 * again on the same port to play an outage.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { LIVE_LIMITS, parseLiveIngestPath, type LiveChannelStatus } from '@spherecast/shared';

interface Channel {
  id: string;
  streamKey: string;
  status: LiveChannelStatus;
  title: string;
  /** Per rung: the last segment number accepted. */
  last: Map<string, number>;
  inits: Set<string>;
}

/** One accepted PUT, in arrival order. */
export interface IngestArrival {
  channelId: string;
  path: string;
  bytes: number;
}

export class TestIngestServer {
  readonly dir: string;
  readonly creatorToken: string;
  readonly arrivals: IngestArrival[] = [];
  /** Refused requests: status and path. */
  readonly refusals: { status: number; path: string }[] = [];
  readonly #channels = new Map<string, Channel>();
  #server: http.Server | null = null;
  #port = 0;
  #viewers = 0;

  constructor(options: { dir: string; creatorToken?: string }) {
    this.dir = options.dir;
    this.creatorToken = options.creatorToken ?? 'creator-token';
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#server !== null;
  }

  /** Opens a channel as `POST /api/live/channels` would. */
  openChannel(title = 'Test broadcast'): { id: string; streamKey: string; hlsIngestUrl: string; rtmpUrl: string } {
    const channel: Channel = { id: randomUUID(), streamKey: randomBytes(18).toString('base64url'), status: 'idle', title, last: new Map(), inits: new Set() };
    this.#channels.set(channel.id, channel);
    return {
      id: channel.id,
      streamKey: channel.streamKey,
      hlsIngestUrl: `${this.url}/live/${channel.id}`,
      rtmpUrl: `rtmp://127.0.0.1:1935/live/${channel.streamKey}`,
    };
  }

  channel(id: string): { status: LiveChannelStatus; title: string } | undefined {
    const channel = this.#channels.get(id);
    return channel ? { status: channel.status, title: channel.title } : undefined;
  }

  setViewers(viewers: number): void {
    this.#viewers = viewers;
  }

  /** Segment numbers accepted for a channel's rung, in arrival order. */
  segmentsOf(channelId: string, rung: string): number[] {
    return this.arrivals.filter((a) => a.channelId === channelId && a.path.startsWith(`${rung}/seg_`)).map((a) => Number(/seg_(\d+)\.m4s$/.exec(a.path)![1]));
  }

  async start(): Promise<void> {
    if (this.#server) return;
    const server = http.createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: String(error), status: 500 }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening and drops open connections (an outage); start() listens again on the same port. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://x');
    const send = (status: number, body?: unknown) => {
      if (status >= 400) this.refusals.push({ status, path: url.pathname });
      response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' }).end(body === undefined ? undefined : JSON.stringify(body));
    };
    const refuse = (status: number, message: string) => send(status, { message, status });
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];

    const api = /^\/api\/live\/channels(?:\/([^/]+)(\/end)?)?$/.exec(url.pathname);
    if (api) {
      request.resume();
      const [, id, end] = api;
      if (!id && request.method === 'POST') {
        if (bearer !== this.creatorToken) return refuse(401, 'Sign in first.');
        return send(200, this.openChannel());
      }
      const channel = id ? this.#channels.get(id) : undefined;
      if (!channel) return refuse(404, 'No such channel.');
      if (end && request.method === 'POST') {
        if (bearer !== this.creatorToken) return refuse(401, 'Sign in first.');
        channel.status = 'ended';
        return send(200, { id: channel.id, status: channel.status, contentId: channel.id, viewers: 0 });
      }
      if (!end && request.method === 'GET') return send(200, { id: channel.id, status: channel.status, contentId: channel.id, viewers: this.#viewers });
      return refuse(405, 'Method not allowed.');
    }

    const ingest = /^\/live\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!ingest || request.method !== 'PUT') {
      request.resume();
      return refuse(404, 'Not found.');
    }
    const [, channelId = '', name = ''] = ingest;
    const channel = this.#channels.get(channelId);
    if (!bearer || !channel || bearer !== channel.streamKey) {
      request.resume();
      return refuse(401, 'The stream key does not open this channel.');
    }
    const parsed = parseLiveIngestPath(name);
    if ('error' in parsed) {
      request.resume();
      return refuse(400, parsed.error);
    }
    const limit = parsed.kind === 'segment' ? LIVE_LIMITS.segmentBytes : parsed.kind === 'init' ? LIVE_LIMITS.initBytes : LIVE_LIMITS.playlistBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        request.resume();
        return refuse(413, `${name} is larger than ${limit} bytes.`);
      }
      chunks.push(chunk as Buffer);
    }
    if (channel.status === 'ended') return refuse(409, 'This channel has ended.');
    const body = Buffer.concat(chunks);
    if ((parsed.kind === 'master' || parsed.kind === 'playlist') && !body.toString('utf8').startsWith('#EXTM3U'))
      return refuse(400, `${name} must start with #EXTM3U.`);
    if (parsed.kind === 'init') channel.inits.add(parsed.rung);
    if (parsed.kind === 'segment') {
      if (!channel.inits.has(parsed.rung)) return refuse(409, `push ${parsed.rung}/init.mp4 before its segments.`);
      const last = channel.last.get(parsed.rung);
      if (last !== undefined && parsed.sequence <= last) return refuse(409, `${name}: segment numbers must increase (${parsed.rung} has up to ${last}).`);
      channel.last.set(parsed.rung, parsed.sequence);
      channel.status = 'live';
    }
    const file = path.join(this.dir, channel.id, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.tmp`, body);
    await rename(`${file}.tmp`, file);
    this.arrivals.push({ channelId: channel.id, path: name, bytes: body.length });
    send(201);
  }
}
