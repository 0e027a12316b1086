// `npm run worker -w origin`: a processing worker on its own, for as many processes and machines as
// an operator wants. It needs the platform's PostgreSQL (DATABASE_URL) and the same media storage
// and UPLOADS_DIR as the origins (a shared folder, or the same S3 bucket for media).
import { ConfigError, loadOriginConfig } from '../core/config.ts';
import { EventBus } from '../core/event-bus.ts';
import { LoginThrottle } from '../core/login-throttle.ts';
import { MediaAccessCache, MediaUrlSigner } from '../core/media-links.ts';
import { MediaStore } from '../core/media-store.ts';
import { S3MediaObjects } from '../core/media-store-s3.ts';
import { mediaUrlSecret } from '../core/media-url-secret.ts';
import { PLAYBACK_STARTS_PER_ADDRESS, WindowCounter } from '../core/rate-limit.ts';
import { RealtimeHub } from '../core/realtime-hub.ts';
import { PartyHub } from '../core/party-hub.ts';
import { CacheSync, SharedSearchCache } from '../core/cache-sync.ts';
import type { OriginServices } from '../core/services.ts';
import { openDatabase } from '../db/database.ts';
import type { SearchPage } from '@spherecast/shared';
import { ProcessingQueue } from '../domains/processing/job-queue.ts';
import { openSourceStore } from '../domains/uploads/upload-intake.ts';
import { startWorkers } from './processing.ts';
import { processingSettingsFromEnv } from './processing-settings.ts';

const log = (message: string, fields: Record<string, unknown> = {}) => {
  const { err, ...rest } = fields;
  const error = err instanceof Error ? { error: err.message } : {};
  console.log(JSON.stringify({ time: new Date().toISOString(), pid: process.pid, message, ...rest, ...error }));
};

async function main(): Promise<void> {
  const config = loadOriginConfig();
  if (!config.databaseUrl) {
    throw new ConfigError(
      'A separate worker needs the platform PostgreSQL: set DATABASE_URL (the same as the origins). On the embedded PGlite database the origin processes uploads itself; no worker is needed.',
    );
  }
  const database = await openDatabase({ kind: 'postgres', url: config.databaseUrl });
  const media = new MediaStore(config.mediaDir, config.maxUploadBytes, config.s3 ? new S3MediaObjects(config.s3) : null);
  await media.init();
  const now = () => new Date();
  const events = new EventBus({ prisma: database.prisma, postgresUrl: config.databaseUrl, now });
  await events.start();
  const realtime = new RealtimeHub(events);
  // The worker caches no search pages, but its publishes tell the origins to drop theirs.
  const searchCache = new SharedSearchCache<SearchPage>(0, 0);
  const cacheSync = new CacheSync(config.databaseUrl, { onRemoteInvalidation: () => undefined });
  await cacheSync.start();
  searchCache.attach(cacheSync);
  const services: OriginServices = {
    prisma: database.prisma,
    config,
    media,
    searchCache,
    trackerUrl: null,
    embeddedTrackerPort: null,
    embeddedTrackerSecure: false,
    trackerPath: null,
    loginThrottle: new LoginThrottle(),
    playbackStartLimit: new WindowCounter(PLAYBACK_STARTS_PER_ADDRESS.max, PLAYBACK_STARTS_PER_ADDRESS.windowMs),
    mediaSigner: new MediaUrlSigner(await mediaUrlSecret(config.mediaUrlSecret, config.dataDir), config.mediaUrlTtlSeconds, now),
    mediaAccess: new MediaAccessCache(database.prisma),
    events,
    realtime,
    // A worker serves no watch party; its hub is never started (no timer).
    parties: new PartyHub(events),
    now,
  };
  const settings = processingSettingsFromEnv(process.env);
  const queue = new ProcessingQueue({
    database: { kind: 'postgres', url: config.databaseUrl },
    jobTimeoutSeconds: config.jobTimeoutSeconds,
    ...(settings.maintenanceIntervalSeconds ? { maintenanceIntervalSeconds: settings.maintenanceIntervalSeconds } : {}),
    onError: (error) => log('job queue error', { err: error }),
  });
  await queue.start();
  // The same tus store as the origins': UPLOADS_DIR (a shared folder) or, with STORAGE=s3, the bucket.
  await startWorkers(services, queue, openSourceStore(config), {
    log,
    onJob: (event, uploadId, jobId) => log(event === 'start' ? 'job started' : 'job done', { uploadId, jobId }),
    onChunk: (uploadId, index, workerId) => log('chunk done', { uploadId, index, workerId }),
    ...(settings.transcode ? { transcode: settings.transcode } : {}),
    ...(settings.chunkSeconds === undefined ? {} : { chunkSeconds: settings.chunkSeconds }),
  });
  log('worker ready', { concurrency: config.workerConcurrency });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('stopping: finishing running jobs', { signal });
    void (async () => {
      await queue.destroy(60_000);
      await events.destroy();
      await cacheSync.destroy();
      await database.close();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
