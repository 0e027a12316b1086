import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadOriginConfig, type OriginConfig } from './core/config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { buildServer } from './edges/http-server.ts';
import { resolveTlsCertificate, type TlsCertificate } from './edges/tls-certificate.ts';
import { LoginThrottle } from './core/login-throttle.ts';
import { PLAYBACK_STARTS_PER_ADDRESS, WindowCounter } from './core/rate-limit.ts';
import type { SearchPage } from '@spherecast/shared';
import { CacheSync, SharedSearchCache } from './core/cache-sync.ts';
import { MediaAccessCache, MediaUrlSigner } from './core/media-links.ts';
import { mediaUrlSecret } from './core/media-url-secret.ts';
import { MediaStore } from './core/media-store.ts';
import { S3MediaObjects } from './core/media-store-s3.ts';
import { repairPublishing } from './domains/media/publish-repair.ts';
import type { OriginServices } from './core/services.ts';
import { LiveSupervisor } from './domains/live/live-supervisor.ts';
import { AdDecisionRetention } from './domains/ads/ad-retention.ts';
import { RtmpIngest } from './domains/live/rtmp-ingest.ts';
import { startProcessing, type Processing, type ProcessingOptions } from './jobs/processing.ts';
import { EventBus } from './core/event-bus.ts';
import { RealtimeHub } from './core/realtime-hub.ts';
import { PartyHub } from './core/party-hub.ts';

export interface OriginOptions extends Partial<OriginConfig> {
  /** Use this database instead of opening one from the configuration (tests share one per file). */
  database?: Database;
  /** Clock override for tests. */
  now?: () => Date;
  /**
   * Where log lines go (default stdout). The level is LOG_LEVEL: at the default `info` every 5xx is
   * logged with its request id; each request is logged only at `debug` or `trace`.
   */
  logStream?: { write(line: string): void };
  /** Port of a tracker started beside the origin (see OriginServices.embeddedTrackerPort). */
  embeddedTrackerPort?: number;
  /**
   * The tracker started beside the origin (a TrackerServer): WebSocket upgrades to `/tracker` on the
   * origin's port are handed to it, and players are sent there (see OriginServices.trackerPath).
   */
  tracker?: EmbeddedTracker;
  /** The certificate to serve HTTPS with; default: as the configuration asks (see tls-certificate.ts). */
  tls?: TlsCertificate | null;
  /** Open the RTMP ingest on RTMP_PORT (`npm start` does; tests that need it ask, with `rtmpPort: 0`). */
  rtmp?: boolean;
  /** Web upload processing settings (tests use a small ladder and a short maintenance interval). */
  processing?: Omit<ProcessingOptions, 'work' | 'log'>;
}

/** What the origin needs of a tracker it serves on its own port. */
export interface EmbeddedTracker {
  readonly port: number;
  readonly secure: boolean;
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** Where the embedded tracker answers on the origin's own port. */
export const TRACKER_PATH = '/tracker';

export interface Origin {
  url: string;
  config: OriginConfig;
  services: OriginServices;
  database: Database;
  app: FastifyInstance;
  /** The certificate served with HTTPS, or null for plain HTTP. */
  tls: TlsCertificate | null;
  /** The RTMP ingest, when started (its port is also config.rtmpPort). */
  rtmp: RtmpIngest | null;
  /** Web upload intake and processing queue. */
  processing: Processing;
  close(): Promise<void>;
}

/**
 * Opens the database (applying migrations), prepares media storage and starts the HTTP server.
 * Options override the environment; `port: 0` picks a free port.
 */
export async function createOrigin(options: OriginOptions = {}): Promise<Origin> {
  const {
    database: given,
    now,
    logStream,
    embeddedTrackerPort,
    tracker,
    tls: givenTls,
    rtmp: startRtmp,
    processing: processingOptions,
    ...overrides
  } = options;
  const base = loadOriginConfig();
  const config: OriginConfig = { ...base, ...overrides };
  if (overrides.dataDir && !overrides.mediaDir) config.mediaDir = path.join(config.dataDir, 'media');
  if (overrides.dataDir && !overrides.uploadsDir) config.uploadsDir = path.join(config.dataDir, 'uploads');
  if (givenTls) config.https = true;
  // Before the database opens: a bad TLS_CERT / TLS_KEY stops the start with a message naming it.
  const tls = givenTls === undefined ? await resolveTlsCertificate(config) : givenTls;
  const database =
    given ??
    (await openDatabase(config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'pglite', dir: path.join(config.dataDir, 'db') }));
  const clock = now ?? (() => new Date());
  const media = new MediaStore(config.mediaDir, config.maxUploadBytes, config.s3 ? new S3MediaObjects(config.s3) : null);
  await media.init();
  const events = new EventBus({ prisma: database.prisma, postgresUrl: database.kind === 'postgres' ? database.url : undefined, now: clock });
  await events.start();
  const realtime = new RealtimeHub(events);
  realtime.start();
  const parties = new PartyHub(events);
  parties.start();
  // Search pages are cached per process; with several origins on PostgreSQL, invalidations travel by NOTIFY.
  const searchCache = new SharedSearchCache<SearchPage>(config.searchCacheMs, config.searchCacheMs * 9);
  const cacheSync = database.url ? new CacheSync(database.url, { onRemoteInvalidation: () => searchCache.invalidateLocal() }) : null;
  if (cacheSync) {
    await cacheSync.start();
    searchCache.attach(cacheSync);
  }
  const services: OriginServices = {
    prisma: database.prisma,
    ...(database.query ? { rawQuery: database.query } : {}),
    config,
    media,
    searchCache,
    trackerUrl: config.trackerUrl ?? null,
    embeddedTrackerPort: tracker?.port ?? embeddedTrackerPort ?? null,
    embeddedTrackerSecure: tracker?.secure ?? tls !== null,
    trackerPath: tracker ? TRACKER_PATH : null,
    loginThrottle: new LoginThrottle(),
    playbackStartLimit: new WindowCounter(PLAYBACK_STARTS_PER_ADDRESS.max, PLAYBACK_STARTS_PER_ADDRESS.windowMs),
    mediaSigner: new MediaUrlSigner(await mediaUrlSecret(config.mediaUrlSecret, config.dataDir), config.mediaUrlTtlSeconds, clock),
    mediaAccess: new MediaAccessCache(database.prisma),
    events,
    realtime,
    parties,
    now: clock,
  };
  // Web uploads (tus) and their processing queue; the origin is a worker too unless EMBEDDED_WORKER=false
  // (always on PGlite, which no other process can open).
  const appLog: { current?: FastifyInstance['log'] } = {};
  const processing = await startProcessing(services, database, {
    work: config.embeddedWorker || database.kind === 'pglite',
    ...processingOptions,
    log: (message, fields) => appLog.current?.warn(fields ?? {}, message),
  });
  const app = await buildServer(services, {
    ping: () => database.ping(),
    logger: { level: config.logLevel, ...(logStream ? { stream: logStream } : {}) },
    https: tls,
    uploads: processing.intake,
  });
  appLog.current = app.log;
  if (tracker) {
    app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if ((request.url ?? '').split('?', 1)[0] === TRACKER_PATH) tracker.handleUpgrade(request, socket, head);
      else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
  }
  // Before serving: finish or roll back publishes a crash interrupted, and clean up what it left.
  const repaired = await repairPublishing(services);
  if (Object.values(repaired).some((n) => n > 0)) app.log.warn({ repaired }, 'repaired interrupted publishing and cleaned leftovers');
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
  // Broadcasts whose ingest stopped for LIVE_GRACE_SECONDS end into a VOD (also those a restart interrupted).
  const liveSupervisor = new LiveSupervisor(services, (error) => app.log.error({ err: error }, 'ending silent live broadcasts failed'));
  liveSupervisor.start();
  // Ad decisions never shown are deleted after two days (they only serve their day's frequency cap).
  const adRetention = new AdDecisionRetention(services, (error) => app.log.error({ err: error }, 'deleting unshown ad decisions failed'));
  adRetention.start();
  let rtmp: RtmpIngest | null = null;
  if (startRtmp) {
    rtmp = new RtmpIngest(services, {
      host: config.host,
      port: config.rtmpPort,
      originUrl: () => url,
      log: { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m) },
    });
    config.rtmpPort = await rtmp.start();
  }
  return {
    url,
    config: { ...config, port },
    services,
    database,
    app,
    tls,
    rtmp,
    processing,
    close: async () => {
      await rtmp?.destroy();
      await liveSupervisor.destroy();
      await adRetention.destroy();
      await processing.destroy();
      await cacheSync?.destroy();
      await app.close();
      await realtime.destroy();
      await parties.destroy();
      await events.destroy();
      if (!given) await database.close();
    },
  };
}
