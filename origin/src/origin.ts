import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadOriginConfig, type OriginConfig } from './core/config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { buildServer } from './edges/http-server.ts';
import { LoginThrottle } from './core/login-throttle.ts';
import { SearchCache } from './core/search-cache.ts';
import { MediaStore } from './core/media-store.ts';
import type { OriginServices } from './core/services.ts';

export interface OriginOptions extends Partial<OriginConfig> {
  /** Use this database instead of opening one from the configuration (tests share one per file). */
  database?: Database;
  /** Clock override for tests. */
  now?: () => Date;
  /** Log requests (off unless LOG_LEVEL asks for it). */
  logger?: boolean;
  /** Port of a tracker started beside the origin (see OriginServices.embeddedTrackerPort). */
  embeddedTrackerPort?: number;
}

export interface Origin {
  url: string;
  config: OriginConfig;
  services: OriginServices;
  database: Database;
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Opens the database (applying migrations), prepares media storage and starts the HTTP server.
 * Options override the environment; `port: 0` picks a free port.
 */
export async function createOrigin(options: OriginOptions = {}): Promise<Origin> {
  const { database: given, now, logger, embeddedTrackerPort, ...overrides } = options;
  const base = loadOriginConfig();
  const config: OriginConfig = { ...base, ...overrides };
  if (overrides.dataDir && !overrides.mediaDir) config.mediaDir = path.join(config.dataDir, 'media');
  const database =
    given ??
    (await openDatabase(config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'pglite', dir: path.join(config.dataDir, 'db') }));
  const media = new MediaStore(config.mediaDir, config.maxUploadBytes);
  await media.init();
  const services: OriginServices = {
    prisma: database.prisma,
    config,
    media,
    searchCache: new SearchCache(config.searchCacheMs, config.searchCacheMs * 9),
    trackerUrl: config.trackerUrl ?? null,
    embeddedTrackerPort: embeddedTrackerPort ?? null,
    loginThrottle: new LoginThrottle(),
    now: now ?? (() => new Date()),
  };
  const app = await buildServer(services, {
    ping: database.ping,
    logger: logger ? { level: config.logLevel } : false,
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    url: `http://${host}:${port}`,
    config: { ...config, port },
    services,
    database,
    app,
    close: async () => {
      await app.close();
      if (!given) await database.close();
    },
  };
}
