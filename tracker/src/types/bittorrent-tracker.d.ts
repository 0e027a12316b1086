// Just enough of bittorrent-tracker (which ships no types) for the tests and the benchmark.

declare module 'bittorrent-tracker/client' {
  import { EventEmitter } from 'node:events';

  export interface ClientOptions {
    infoHash: string | Uint8Array;
    peerId: string | Uint8Array;
    announce: string[];
    port?: number;
    /** Merged into every announce (e.g. `{ numwant: 1 }` → one offer per announce). */
    getAnnounceOpts?: () => Record<string, unknown>;
    rtcConfig?: object;
  }

  export interface AnnounceOptions {
    numwant?: number;
    left?: number;
    uploaded?: number;
    downloaded?: number;
  }

  /** Payload of `update`: the tracker's announce reply. */
  export interface TrackerUpdate {
    announce: string;
    infoHash: string;
    complete: number;
    incomplete: number;
    interval?: number;
  }

  export interface TrackerScrape {
    announce: string;
    infoHash: string;
    complete: number;
    incomplete: number;
    downloaded: number;
  }

  /** A simple-peer connection emitted by `peer`. */
  export interface SimplePeer extends EventEmitter {
    id: string;
    connected: boolean;
    send(data: string | Uint8Array): void;
    destroy(error?: Error): void;
  }

  export default class Client extends EventEmitter {
    constructor(options: ClientOptions);
    readonly peerId: string;
    readonly infoHash: string;
    start(options?: AnnounceOptions): void;
    stop(options?: AnnounceOptions): void;
    complete(options?: AnnounceOptions): void;
    update(options?: AnnounceOptions): void;
    scrape(options?: { infoHash?: string | string[] }): void;
    setInterval(intervalMs: number): void;
    destroy(callback?: (error?: Error | null) => void): void;
    on(event: 'update', listener: (data: TrackerUpdate) => void): this;
    on(event: 'scrape', listener: (data: TrackerScrape) => void): this;
    on(event: 'peer', listener: (peer: SimplePeer) => void): this;
    on(event: 'warning' | 'error', listener: (error: Error) => void): this;
    once(event: 'update', listener: (data: TrackerUpdate) => void): this;
    once(event: 'scrape', listener: (data: TrackerScrape) => void): this;
    once(event: 'peer', listener: (peer: SimplePeer) => void): this;
    once(event: 'warning' | 'error', listener: (error: Error) => void): this;
  }
}

declare module 'bittorrent-tracker/server' {
  import { EventEmitter } from 'node:events';
  import type { Server as HttpServer } from 'node:http';

  export interface ServerOptions {
    /** Announce interval in ms (WebSocket clients get a fifth of it). */
    interval?: number;
    http?: boolean;
    udp?: boolean;
    ws?: boolean | object;
    stats?: boolean;
    trustProxy?: boolean;
    peersCacheLength?: number;
    peersCacheTtl?: number;
  }

  export default class Server extends EventEmitter {
    constructor(options?: ServerOptions);
    readonly http: HttpServer | null;
    readonly torrents: Record<string, { complete: number; incomplete: number }>;
    listen(port: number, hostname: string, onListening?: () => void): void;
    close(callback?: (error?: Error | null) => void): void;
  }
}
