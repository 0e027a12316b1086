import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { Socket, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { CLUSTER_HEADERS, UpstreamSet } from '../cluster/upstream-set.ts';
import { HashRing } from '../cluster/hash-ring.ts';
import { resolveTrackerConfig, type ResolvedTrackerConfig, type TrackerConfig } from '../config/tracker-config.ts';
import { CLOSE_REASONS, REJECT_REASONS, type CloseReason, type RejectReason } from '../errors.ts';
import { TypedEmitter, type PeerLeftReason, type TrackerEventMap } from '../events.ts';
import { JsonLogger } from '../ops/logger.ts';
import { OpsEndpoints, sendJsonError } from '../ops/ops-endpoints.ts';
import { RateMeter } from '../ops/rate-meter.ts';
import { renderPrometheus, TrackerCounters, type TrackerStats } from '../ops/stats.ts';
import { binaryToHex, hexToBinary, toWire } from '../protocol/binary-string.ts';
import {
  encodeAnnounceReply,
  answerParts,
  encodeFailure,
  encodeScrapeReply,
  idJson,
  offerParts,
  parseRequest,
  type AnnounceRequest,
  type AnswerRequest,
  type ParseLimits,
  type ScrapeEntry,
  type ScrapeRequest,
  type TrackerRequest,
} from '../protocol/messages.ts';
import type { Peer } from '../swarm/swarm.ts';
import { SwarmRegistry } from '../swarm/swarm-registry.ts';
import { acceptUpgrade, WebSocketConnection, WS_CLOSE, type WebSocketHandler } from '../transport/websocket-connection.ts';
import { ClientConnection } from './client-connection.ts';
import { IdleSweeper } from './idle-sweeper.ts';

type Lifecycle = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';
type Server = HttpServer | HttpsServer;

const UPSTREAM_BACKLOG = 64;
/** How long destroy() waits for clients to acknowledge the close frame before cutting them off. */
const SHUTDOWN_GRACE_MS = 500;
/** The idle sweep runs a slice of its round this often (at most; a short idle timeout sweeps whole rounds). */
const SWEEP_STEP_MS = 100;

/** A socket's 'error' listener (shared: `this` is the socket). */
function destroySocket(this: Duplex): void {
  this.destroy();
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `host` as written in a URL: the wildcard addresses become loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * WebTorrent-protocol WebSocket tracker (the protocol p2p-media-loader v2 speaks through the
 * bittorrent-tracker client), over `ws://` or, with `tls`, `wss://`. `GET /stats.json` and
 * `GET /metrics` are served on the same server, or with `opsPort` on a separate one, behind an
 * optional bearer token (`opsToken`). All state lives in the instance; nothing listens until
 * {@link start} and everything stops in {@link destroy}.
 *
 * ```ts
 * const tracker = new TrackerServer(loadTrackerConfig(process.env, { tls: { cert, key } }));
 * await tracker.start();
 * console.log(tracker.url, tracker.opsUrl); // wss://127.0.0.1:8000 https://127.0.0.1:8000
 * ```
 */
export class TrackerServer extends TypedEmitter<TrackerEventMap> {
  readonly config: ResolvedTrackerConfig;
  private readonly log: JsonLogger;
  private readonly registry = new SwarmRegistry<ClientConnection>();
  private readonly connections = new Set<ClientConnection>();
  private readonly connectionsPerIp = new Map<string, number>();
  private readonly counters = new TrackerCounters();
  private readonly messageRate = new RateMeter(10);
  private readonly announceRate = new RateMeter(10);
  private readonly ring: HashRing | null;
  private readonly allowList: ReadonlySet<string> | null;
  private readonly parseLimits: ParseLimits;
  private readonly idleTimeoutMs: number;
  private readonly burst: number;
  private readonly maxBufferedBytes: number;
  private readonly secret: Buffer | null;
  private readonly ops: OpsEndpoints;
  /** Scratch array reused by every announce to pick offer recipients. */
  private readonly picked: Peer<ClientConnection>[] = [];
  /** Receives every connection's messages and closes (one object, no per-connection closures). */
  private readonly wireHandler: WebSocketHandler<ClientConnection> = {
    onMessage: (connection, text) => this.onMessage(connection, text),
    onClose: (connection, code, reason, byPeer) => {
      if (byPeer) this.closeConnection(connection, 'client-closed');
      else if (code === WS_CLOSE.messageTooBig) this.closeConnection(connection, 'message-too-big');
      else this.closeConnection(connection, 'protocol-violation', `websocket: ${reason}`);
    },
  };
  private http: Server | null = null;
  private opsHttp: Server | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  /** Steps per round of the idle sweep (each connection and peer is checked once a round). */
  private sweepSteps = 1;
  /** Last-activity time before which a connection or peer counts as idle, for the step in progress. */
  private sweepDeadline = 0;
  private readonly sweeper = new IdleSweeper<ClientConnection>(this.connections, (connection) => this.sweepConnection(connection));
  /** One function for every connection (a closure per connection would cost heap per peer). */
  private readonly onSlowConsumer = (slow: ClientConnection): void => this.closeConnection(slow, 'slow-consumer');
  private state: Lifecycle = 'idle';
  private listeningPort = 0;
  private opsListeningPort = 0;
  private startedAt = 0;

  /** `config` is merged onto `trackerDefaults` and validated (throws `TrackerConfigError`). */
  constructor(config: Partial<TrackerConfig> = {}) {
    super();
    this.config = resolveTrackerConfig(config);
    const c = this.config;
    this.log = new JsonLogger(c.logLevel, c.logSink ?? undefined, { component: 'tracker', ...(c.self === null ? {} : { instance: c.self }) });
    this.ring = c.clusterPeers.length > 1 ? new HashRing(c.clusterPeers) : null;
    this.allowList = c.allowedInfoHashes === null ? null : new Set(c.allowedInfoHashes.map(hexToBinary));
    this.parseLimits = { maxOffers: c.maxOffersPerAnnounce, maxInfoHashes: c.maxSwarmsPerConnection };
    this.idleTimeoutMs = c.idleTimeoutSeconds * 1000;
    this.burst = Math.max(1, 2 * c.maxAnnouncesPerSecond);
    this.maxBufferedBytes = Math.max(1024 * 1024, 16 * c.maxMessageBytes);
    this.secret = c.clusterSecret === null ? null : Buffer.from(c.clusterSecret);
    this.ops = new OpsEndpoints(c.opsToken, () => this.stats(), this.log);
  }

  /** Whether clients connect with `wss://` (the config has `tls`). */
  get secure(): boolean {
    return this.config.tls !== null;
  }

  /**
   * `ws://host:port` (`wss://` with TLS) clients announce to; known once {@link start} has
   * resolved. A wildcard `host` is reported as loopback: use {@link urlFor} to name the tracker
   * by the address a remote client reaches it at.
   */
  get url(): string {
    if (this.state !== 'running') throw new Error('TrackerServer.url is only known while the tracker runs (after start() resolves).');
    return this.urlFor(urlHost(this.config.host));
  }

  /** The announce URL at `hostname` (e.g. the host name a headset reached the origin by): `wss://hostname:port` with TLS, else `ws://`. */
  urlFor(hostname: string): string {
    if (this.state !== 'running') throw new Error('TrackerServer.urlFor() is only known while the tracker runs (after start() resolves).');
    return `${this.secure ? 'wss' : 'ws'}://${hostname}:${this.listeningPort}`;
  }

  /**
   * Base URL of `GET /stats.json` and `GET /metrics`: the public server's (`http(s)://host:port`),
   * or the separate operator server's with `opsPort`. Known once {@link start} has resolved.
   */
  get opsUrl(): string {
    if (this.state !== 'running') throw new Error('TrackerServer.opsUrl is only known while the tracker runs (after start() resolves).');
    const scheme = this.secure ? 'https' : 'http';
    if (this.opsHttp === null) return `${scheme}://${urlHost(this.config.host)}:${this.listeningPort}`;
    return `${scheme}://${urlHost(this.config.opsHost ?? this.config.host)}:${this.opsListeningPort}`;
  }

  /** The port actually listened on (useful with `port: 0`); `0` before start. */
  get port(): number {
    return this.listeningPort;
  }

  /** The operator server's port (useful with `opsPort: 0`); `0` before start or without `opsPort`. */
  get opsPort(): number {
    return this.opsListeningPort;
  }

  private createServer(handler: (request: IncomingMessage, response: ServerResponse) => void): Server {
    const tls = this.config.tls;
    const server = tls === null ? createHttpServer(handler) : createHttpsServer({ cert: tls.cert, key: tls.key }, handler);
    server.on('clientError', (_error, socket) => socket.destroy());
    // A failed TLS handshake (a client that does not trust the certificate, a port scan).
    if (tls !== null)
      server.on('tlsClientError', (error: Error, socket: import('node:tls').TLSSocket) => {
        this.log.debug('tls-handshake-failed', { message: error.message, ip: (socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '') });
        socket.destroy();
      });
    return server;
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`TrackerServer.start() called while ${this.state}; create a new instance instead.`);
    this.state = 'starting';
    const http = this.createServer((request, response) => this.onHttpRequest(request, response));
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(request, socket, head));
    this.http = http;
    const c = this.config;
    try {
      this.listeningPort = await listen(http, c.port, c.host);
    } catch (error) {
      this.state = 'stopped';
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Tracker could not listen on ${c.host}:${c.port}: ${reason}. Set TRACKER_PORT / TRACKER_HOST to a free address.`, { cause: error });
    }
    http.on('error', (error) => this.log.error('http-error', { message: error.message }));
    if (c.opsPort !== null) {
      const opsHttp = this.createServer((request, response) => this.onOpsHttpRequest(request, response));
      this.opsHttp = opsHttp;
      try {
        this.opsListeningPort = await listen(opsHttp, c.opsPort, c.opsHost ?? '127.0.0.1');
      } catch (error) {
        this.state = 'stopped';
        await closeServer(http);
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
          `Tracker could not listen for operators on ${c.opsHost}:${c.opsPort}: ${reason}. Set TRACKER_OPS_PORT / TRACKER_OPS_HOST to a free address.`,
          { cause: error },
        );
      }
      opsHttp.on('error', (error) => this.log.error('http-error', { message: error.message, server: 'ops' }));
    }
    this.startedAt = Date.now();
    // Every connection and peer is checked once a round (a quarter of the idle timeout, at most
    // 15 s), a slice every ~100 ms, so no single step walks all of them.
    const roundMs = Math.min(15_000, Math.max(100, this.idleTimeoutMs / 4));
    this.sweepSteps = Math.max(1, Math.round(roundMs / SWEEP_STEP_MS));
    this.sweepTimer = setInterval(() => this.sweep(Date.now()), roundMs / this.sweepSteps);
    this.sweepTimer.unref();
    this.state = 'running';
    this.log.info('tracker-started', {
      url: this.url,
      opsUrl: this.opsUrl,
      opsToken: c.opsToken !== null,
      announceIntervalSeconds: this.config.announceIntervalSeconds,
      idleTimeoutSeconds: this.config.idleTimeoutSeconds,
      allowedOrigins: this.config.allowedOrigins === '*' ? '*' : this.config.allowedOrigins,
      clusterPeers: this.config.clusterPeers,
    });
    if (c.opsToken === null && !isLoopback(c.opsHost ?? c.host)) {
      this.log.warn('ops-endpoints-public', {
        opsUrl: this.opsUrl,
        message:
          'GET /stats.json and /metrics can be read by anyone who reaches this address: set TRACKER_OPS_TOKEN, or TRACKER_OPS_PORT with TRACKER_OPS_HOST on a private interface.',
      });
    }
  }

  /** Closes every connection (clients get close code 1001) and the HTTP server. Safe to call twice. */
  async destroy(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    if (this.state === 'idle') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    this.sweeper.reset();
    const sockets = [...this.connections].map((connection) => connection.wire.socket);
    for (const connection of [...this.connections]) this.closeConnection(connection, 'shutdown');
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.destroyed) return resolve();
            const timer = setTimeout(() => {
              socket.destroy();
              resolve();
            }, SHUTDOWN_GRACE_MS);
            socket.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
    await Promise.all([this.http, this.opsHttp].filter((server) => server !== null).map((server) => closeServer(server)));
    this.registry.clear();
    this.connectionsPerIp.clear();
    this.state = 'stopped';
    this.log.info('tracker-stopped');
  }

  /** Snapshot served as `GET /stats.json`. */
  stats(): TrackerStats {
    const now = Date.now();
    const memory = process.memoryUsage();
    const { seeders, leechers } = this.registry.totals();
    let proxiedSwarms = 0;
    let upstreams = 0;
    for (const connection of this.connections) {
      proxiedSwarms += connection.proxied?.size ?? 0;
      upstreams += connection.upstreams?.size ?? 0;
    }
    const c = this.counters;
    return {
      instance: this.ring === null ? null : this.config.self,
      startedAt: new Date(this.startedAt || now).toISOString(),
      uptimeSeconds: this.startedAt === 0 ? 0 : Math.round((now - this.startedAt) / 1000),
      swarms: this.registry.swarmCount,
      peers: this.registry.peerCount,
      seeders,
      leechers,
      connections: this.connections.size,
      proxiedSwarms,
      upstreams,
      messagesPerSecond: Math.round(this.messageRate.perSecond(now) * 100) / 100,
      announcesPerSecond: Math.round(this.announceRate.perSecond(now) * 100) / 100,
      totals: {
        messages: c.messages,
        announces: c.announces,
        answers: c.answers,
        scrapes: c.scrapes,
        offersRelayed: c.offersRelayed,
        answersRelayed: c.answersRelayed,
        proxiedMessages: c.proxiedMessages,
        connectionsOpened: c.connectionsOpened,
        connectionsRejected: { ...c.connectionsRejected },
        connectionsClosed: { ...c.connectionsClosed },
        protocolViolations: { ...c.protocolViolations },
      },
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal, externalBytes: memory.external },
      cluster: { self: this.config.self, instances: this.ring?.nodes ?? [] },
    };
  }

  /** Text served as `GET /metrics`. */
  metrics(): string {
    return renderPrometheus(this.stats());
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  /** The public server: WebSocket upgrades, plus the operator endpoints unless they have their own port. */
  private onHttpRequest(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (this.opsHttp === null && OpsEndpoints.isOpsPath(path)) {
      this.ops.handle(request, response, path, this.clientIp(request));
      return;
    }
    const served = this.opsHttp === null ? 'WebSocket upgrades, GET /stats.json and GET /metrics' : 'WebSocket upgrades only';
    sendJsonError(response, 404, 'not-found', `This tracker port serves ${served}.`);
  }

  /** The separate operator server (`opsPort`). */
  private onOpsHttpRequest(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (OpsEndpoints.isOpsPath(path)) this.ops.handle(request, response, path, this.clientIp(request));
    else sendJsonError(response, 404, 'not-found', 'The tracker operator port serves GET /stats.json and GET /metrics.');
  }

  // ---- WebSocket upgrade ---------------------------------------------------------------------

  private clientIp(request: IncomingMessage): string {
    if (this.config.trustProxy) {
      const forwarded = headerValue(request.headers['x-forwarded-for']);
      const first = forwarded?.split(',')[0]?.trim();
      if (first) return first;
    }
    return (request.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
  }

  private isClusterSecret(value: string): boolean {
    if (this.secret === null) return false;
    const given = Buffer.from(value);
    return given.length === this.secret.length && timingSafeEqual(given, this.secret);
  }

  private isOriginAllowed(origin: string | null): boolean {
    const allowed = this.config.allowedOrigins;
    if (allowed === '*') return true;
    return origin !== null && allowed.includes(origin);
  }

  /**
   * Takes a WebSocket upgrade that arrived on another server, as if it came to this tracker's port:
   * an HTTPS origin serves the tracker on its own port and path, so a headset that accepted the
   * origin's self-signed certificate needs no second acceptance for the tracker's port. Same checks
   * (origin allow-list, per-address limits) as the tracker's own port.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.onUpgrade(request, socket, head);
  }

  private onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', destroySocket);
    let ip = this.clientIp(request);
    let origin = headerValue(request.headers.origin) ?? null;
    const secret = headerValue(request.headers[CLUSTER_HEADERS.secret]);
    let fromCluster = false;
    if (this.state !== 'running') return this.reject(socket, ip, origin, 'shutting-down');
    if (secret !== undefined) {
      if (!this.isClusterSecret(secret)) return this.reject(socket, ip, origin, 'cluster-auth-failed');
      // Another instance proxying a browser it already checked: take the browser's identity.
      fromCluster = true;
      ip = headerValue(request.headers[CLUSTER_HEADERS.forwardedFor]) ?? ip;
      origin = headerValue(request.headers[CLUSTER_HEADERS.forwardedOrigin]) ?? null;
    } else {
      if (!this.isOriginAllowed(origin)) return this.reject(socket, ip, origin, 'origin-not-allowed');
      const open = this.connectionsPerIp.get(ip) ?? 0;
      if (open >= this.config.maxConnectionsPerIp) return this.reject(socket, ip, origin, 'too-many-connections');
      // Counted for the lifetime of the TCP socket, so half-finished handshakes count too.
      this.connectionsPerIp.set(ip, open + 1);
      // `on`, not `once`: 'close' comes once, and once()'s wrapper costs ~150 B of heap per connection.
      socket.on('close', () => {
        const count = (this.connectionsPerIp.get(ip) ?? 1) - 1;
        if (count <= 0) this.connectionsPerIp.delete(ip);
        else this.connectionsPerIp.set(ip, count);
      });
    }
    if (!(socket instanceof Socket)) {
      socket.destroy();
      return;
    }
    if (!acceptUpgrade(request, socket)) return;
    this.onConnection(socket, head, ip, origin, fromCluster);
  }

  private reject(socket: Duplex, ip: string, origin: string | null, reason: RejectReason): void {
    const { status, message } = REJECT_REASONS[reason];
    const body = JSON.stringify({ error: { code: reason, message } });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    this.counters.connectionsRejected[reason]++;
    this.log.warn('connection-rejected', { reason, ip, origin });
    if (this.has('connectionRejected')) this.emit('connectionRejected', { ip, origin, reason });
  }

  private onConnection(socket: Socket, head: Buffer, ip: string, origin: string | null, fromCluster: boolean): void {
    socket.setNoDelay(true);
    const wire = new WebSocketConnection<ClientConnection>(socket, this.config.maxMessageBytes, this.wireHandler);
    const connection = new ClientConnection(wire, ip, origin, fromCluster, Date.now(), this.burst, this.maxBufferedBytes, this.onSlowConsumer);
    this.connections.add(connection);
    this.counters.connectionsOpened++;
    this.log.debug('connection-opened', { ip, origin, fromCluster });
    wire.start(connection, head);
  }

  // ---- Messages ------------------------------------------------------------------------------

  private onMessage(connection: ClientConnection, text: string): void {
    if (connection.closed) return;
    const now = Date.now();
    connection.lastMessageAt = now;
    this.counters.messages++;
    this.messageRate.mark(now);
    // Rate-limit before parsing, so a flood costs as little as possible.
    if (!connection.takeToken(now, this.config.maxAnnouncesPerSecond)) {
      this.closeConnection(connection, 'rate-limited');
      return;
    }
    if (connection.waiting) (connection.backlog ??= []).push(text);
    else this.handleText(connection, text, now);
  }

  private handleText(connection: ClientConnection, text: string, now: number): void {
    const request = parseRequest(text, this.parseLimits);
    if (request.kind === 'violation') {
      this.counters.protocolViolations[request.code]++;
      this.closeConnection(connection, 'protocol-violation', request.code);
      return;
    }
    this.handleRequest(connection, request, text, now);
  }

  private handleRequest(connection: ClientConnection, request: TrackerRequest, text: string, now: number): void {
    if (request.kind === 'scrape') {
      this.counters.scrapes++;
      this.scrape(connection, request, text);
      return;
    }
    if (request.kind === 'answer') this.counters.answers++;
    else {
      this.counters.announces++;
      this.announceRate.mark(now);
    }
    // Instances proxying for a browser are always answered here: the ring sent them to us.
    if (this.ring !== null && !connection.fromCluster) {
      const owner = this.ring.ownerOf(request.infoHash);
      if (owner !== this.config.self) {
        this.forward(connection, owner, request, text);
        return;
      }
    }
    if (request.kind === 'announce') this.announce(connection, request, now);
    else this.answer(connection, request, now);
  }

  /**
   * Gate for a connection's first announce in a swarm: the per-connection swarm limit and the
   * info_hash allow-list / predicate. Returns true to go on now. Returns false when the connection
   * was closed, or when an async predicate is pending: the connection's later messages then wait
   * in its backlog, and `retry` runs once the predicate allows.
   */
  private admit(connection: ClientConnection, request: AnnounceRequest, retry: () => void): boolean {
    if (connection.swarmCount >= this.config.maxSwarmsPerConnection) {
      this.closeConnection(connection, 'too-many-swarms');
      return false;
    }
    const predicate = this.config.isInfoHashAllowed;
    if (this.allowList === null && predicate === null) return true;
    if (connection.allowed?.has(request.infoHash)) return true;
    const hex = binaryToHex(request.infoHash);
    const refuse = (): false => {
      connection.send(encodeFailure('announce', CLOSE_REASONS['info-hash-not-allowed'].message, request.infoHash));
      this.closeConnection(connection, 'info-hash-not-allowed', hex);
      return false;
    };
    const accept = (): true => {
      connection.allowed ??= new Set();
      connection.allowed.add(request.infoHash);
      return true;
    };
    if (this.allowList !== null && !this.allowList.has(request.infoHash)) return refuse();
    if (predicate === null) return accept();
    const failed = (error: unknown): false => {
      this.log.error('info-hash-check-failed', { infoHash: hex, message: error instanceof Error ? error.message : String(error) });
      return refuse();
    };
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = predicate(hex, { origin: connection.origin, ip: connection.ip });
    } catch (error) {
      return failed(error);
    }
    if (typeof verdict === 'boolean') return verdict ? accept() : refuse();
    connection.waiting = true;
    const settle = (allowed: boolean | 'error', error?: unknown): void => {
      connection.waiting = false;
      if (connection.closed) return;
      if (allowed === 'error') failed(error);
      else if (!allowed) refuse();
      else {
        accept();
        retry();
        this.drainBacklog(connection);
      }
    };
    verdict.then(
      (allowed) => settle(allowed === true),
      (error: unknown) => settle('error', error),
    );
    return false;
  }

  private drainBacklog(connection: ClientConnection): void {
    const backlog = connection.backlog;
    while (backlog !== null && !connection.waiting && !connection.closed && backlog.length > 0) {
      this.handleText(connection, backlog.shift()!, Date.now());
    }
  }

  private announce(connection: ClientConnection, request: AnnounceRequest, now: number): void {
    const known = this.registry.get(request.infoHash);
    let peer = known?.get(request.peerId);
    if (peer !== undefined && peer.link !== connection) {
      // The same peer_id from another socket. A client that reconnected (network change) announces
      // again at once while its old socket may linger until the idle sweep: once the old one has
      // missed an announce, the new one takes over. Before that, a live peer's answers stay its own.
      if (now - peer.lastAnnounceAt <= this.config.announceIntervalSeconds * 1000) {
        connection.send(encodeFailure('announce', 'This peer_id is already announced on another connection.', request.infoHash));
        return;
      }
      this.removePeer(peer.link, peer, 'replaced');
      peer = undefined;
    }
    const interval = this.config.announceIntervalSeconds;
    if (peer === undefined) {
      if (request.event === 'stopped') {
        connection.send(encodeAnnounceReply(known?.infoHashJson ?? idJson(request.infoHash), interval, known?.complete ?? 0, known?.incomplete ?? 0));
        return;
      }
      if (!this.admit(connection, request, () => this.announce(connection, request, Date.now()))) return;
      const { swarm, created } = this.registry.obtain(request.infoHash);
      if (created) {
        this.log.debug('swarm-created', { infoHash: swarm.infoHashHex });
        if (this.has('swarmCreated')) this.emit('swarmCreated', { infoHash: swarm.infoHashHex });
      }
      const completed = request.event === 'completed';
      peer = this.registry.join(swarm, request.peerId, connection, request.seeding || completed, now);
      connection.addPeer(peer);
      if (completed) swarm.downloaded++;
      if (this.has('peerJoined')) this.emit('peerJoined', { infoHash: swarm.infoHashHex, peerId: binaryToHex(peer.peerId), seeding: peer.seeding });
    } else {
      peer.lastAnnounceAt = now;
      if (request.event === 'stopped') {
        const swarm = peer.swarm;
        this.removePeer(connection, peer, 'stopped');
        connection.send(encodeAnnounceReply(swarm.infoHashJson, interval, swarm.complete, swarm.incomplete));
        return;
      }
      if ((request.event === 'completed' || request.seeding) && peer.swarm.markSeeding(peer)) {
        if (request.event === 'completed') peer.swarm.downloaded++;
        if (this.has('peerCompleted')) this.emit('peerCompleted', { infoHash: peer.swarm.infoHashHex, peerId: binaryToHex(peer.peerId) });
      }
    }

    const swarm = peer.swarm;
    connection.send(encodeAnnounceReply(swarm.infoHashJson, interval, swarm.complete, swarm.incomplete));
    if (request.numwant === 0) return;
    const targets = this.picked;
    swarm.pick(request.numwant, peer, targets);
    for (let i = 0; i < targets.length; i++) {
      const offer = request.offers[i]!;
      // Relayed as the sender wrote it; JSON.stringify only if the raw text could not be located.
      targets[i]!.link.sendParts(
        offerParts(offer.json ?? toWire(JSON.stringify(offer.offer)), JSON.stringify(offer.offerIdWire), peer.peerIdJson, swarm.infoHashJson),
      );
    }
    this.counters.offersRelayed += targets.length;
    targets.length = 0;
  }

  private answer(connection: ClientConnection, request: AnswerRequest, now: number): void {
    const swarm = this.registry.get(request.infoHash);
    const from = swarm?.get(request.peerId);
    const to = swarm?.get(request.toPeerId);
    if (swarm === undefined || from === undefined || from.link !== connection || to === undefined) {
      // The offerer left, or the answerer never joined: nothing to deliver (the bittorrent-tracker
      // server drops these too). Not a protocol violation: it races with `stopped` naturally.
      this.log.debug('answer-dropped', { infoHash: binaryToHex(request.infoHash), known: swarm !== undefined && to !== undefined });
      return;
    }
    from.lastAnnounceAt = now;
    to.link.sendParts(
      answerParts(request.answerJson ?? toWire(JSON.stringify(request.answer)), JSON.stringify(request.offerIdWire), from.peerIdJson, swarm.infoHashJson),
    );
    this.counters.answersRelayed++;
  }

  private scrape(connection: ClientConnection, request: ScrapeRequest, text: string): void {
    let local: string[] = [...request.infoHashes];
    if (this.ring !== null && !connection.fromCluster) {
      const remote = new Map<string, string[]>();
      local = [];
      for (const infoHash of request.infoHashes) {
        const owner = this.ring.ownerOf(infoHash);
        if (owner === this.config.self) local.push(infoHash);
        else remote.set(owner, [...(remote.get(owner) ?? []), infoHash]);
      }
      for (const [owner, infoHashes] of remote) {
        // Every owner answers with its own scrape reply; the client handles each one's files.
        const forwarded = local.length === 0 && remote.size === 1 ? text : toWire(JSON.stringify({ action: 'scrape', info_hash: infoHashes }));
        this.upstreamsOf(connection).send(owner, forwarded);
        this.counters.proxiedMessages++;
      }
      if (local.length === 0) return;
    }
    const entries: ScrapeEntry[] = local.map((infoHash) => {
      const swarm = this.registry.get(infoHash);
      return { infoHash, complete: swarm?.complete ?? 0, incomplete: swarm?.incomplete ?? 0, downloaded: swarm?.downloaded ?? 0 };
    });
    connection.send(encodeScrapeReply(entries, this.config.announceIntervalSeconds));
  }

  // ---- Sharding ------------------------------------------------------------------------------

  private upstreamsOf(connection: ClientConnection): UpstreamSet {
    connection.upstreams ??= new UpstreamSet({
      secret: this.config.clusterSecret ?? '',
      maxPayload: this.config.maxMessageBytes * 4,
      ip: connection.ip,
      origin: connection.origin,
      maxBacklog: UPSTREAM_BACKLOG,
      onMessage: (data) => connection.relay(data),
      onLost: (owner, reason) => {
        if (connection.closed) return;
        // The owner forgot this client's peers; they come back with its next announce.
        if (connection.proxied !== null) for (const [infoHash, at] of connection.proxied) if (at === owner) connection.proxied.delete(infoHash);
        this.log.warn('upstream-lost', { owner, reason, ip: connection.ip });
      },
    });
    return connection.upstreams;
  }

  private forward(connection: ClientConnection, owner: string, request: AnnounceRequest | AnswerRequest, text: string): void {
    if (request.kind === 'announce') {
      const proxied = (connection.proxied ??= new Map());
      if (request.event === 'stopped') proxied.delete(request.infoHash);
      else if (!proxied.has(request.infoHash)) {
        if (!this.admit(connection, request, () => this.forward(connection, owner, request, text))) return;
        proxied.set(request.infoHash, owner);
      }
    }
    this.upstreamsOf(connection).send(owner, text);
    this.counters.proxiedMessages++;
  }

  // ---- Removal -------------------------------------------------------------------------------

  private removePeer(connection: ClientConnection, peer: Peer<ClientConnection>, reason: PeerLeftReason): void {
    connection.deletePeer(peer);
    this.releasePeer(peer, reason);
  }

  private releasePeer(peer: Peer<ClientConnection>, reason: PeerLeftReason): void {
    const swarm = peer.swarm;
    const swarmGone = this.registry.leave(peer);
    if (this.has('peerLeft')) this.emit('peerLeft', { infoHash: swarm.infoHashHex, peerId: binaryToHex(peer.peerId), reason });
    if (swarmGone) {
      this.log.debug('swarm-removed', { infoHash: swarm.infoHashHex });
      if (this.has('swarmRemoved')) this.emit('swarmRemoved', { infoHash: swarm.infoHashHex });
    }
  }

  private closeConnection(connection: ClientConnection, reason: CloseReason, detail?: string): void {
    if (connection.closed) return;
    connection.closed = true;
    this.connections.delete(connection);
    const leftReason: PeerLeftReason = reason === 'idle' ? 'idle' : 'connection-closed';
    for (const peer of connection.peers()) this.releasePeer(peer, leftReason);
    connection.clearPeers();
    connection.upstreams?.closeAll();
    connection.backlog = null;
    this.counters.connectionsClosed[reason]++;

    connection.wire.close(CLOSE_REASONS[reason].code, reason);

    const fields = { reason, ip: connection.ip, origin: connection.origin, ...(detail === undefined ? {} : { detail }) };
    if (reason === 'client-closed' || reason === 'shutdown' || reason === 'idle') this.log.debug('connection-closed', fields);
    else this.log.warn('connection-closed', fields);
    if (this.has('connectionClosed')) this.emit('connectionClosed', { ip: connection.ip, reason, ...(detail === undefined ? {} : { detail }) });
  }

  /**
   * The one periodic timer: drops silent connections and peers that stopped announcing. Each call
   * is one step of a round: its share of the connections and peers, so the work per step stays
   * small however many peers the tracker holds.
   */
  private sweep(now: number): void {
    this.sweepDeadline = now - this.idleTimeoutMs;
    this.sweeper.step(Math.ceil((this.connections.size + this.registry.peerCount) / this.sweepSteps) + 1);
  }

  /** Checks one connection and its peers; returns how many things it checked. */
  private sweepConnection(connection: ClientConnection): number {
    const deadline = this.sweepDeadline;
    const peers = connection.peerCount;
    if (connection.lastMessageAt < deadline) {
      this.closeConnection(connection, 'idle');
      return 1 + peers;
    }
    for (const peer of connection.peers()) {
      if (peer.lastAnnounceAt < deadline) this.removePeer(connection, peer, 'idle');
    }
    return 1 + peers;
  }
}
