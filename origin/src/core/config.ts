import path from 'node:path';
import { z } from 'zod';
import { relayPolicySchema } from '@spherecast/shared';
import { iceUrlList, stunUrlSchema, turnUrlSchema, type IceConfig } from './ice-servers.ts';
import type { S3StorageConfig } from './media-store-s3.ts';

const portSchema = z.coerce.number().int().min(0).max(65_535);
const booleanish = z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((value) => ['1', 'true', 'yes'].includes(value));

/** Environment variables the origin reads, with their defaults. Parsed once at boot. */
const envSchema = z
  .object({
    /** HTTP port of the origin (API, player, media). */
    PORT: portSchema.default(8080),
    /** Interface to listen on. 127.0.0.1 keeps it local; 0.0.0.0 lets a headset on the LAN reach it. */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** Where the embedded database and media live when nothing else is configured. */
    DATA_DIR: z.string().min(1).default('./data'),
    /** A PostgreSQL URL. Unset: an embedded PGlite database in DATA_DIR/db. */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    /** Where HLS ladders and photos are stored. Default DATA_DIR/media. */
    MEDIA_DIR: z.string().min(1).optional(),
    /** Port of the WebRTC tracker started beside the origin. */
    TRACKER_PORT: portSchema.default(8000),
    /** Tracker URL handed to players; default ws://<host>:TRACKER_PORT. */
    TRACKER_URL: z.url({ protocol: /^wss?$/ }).optional(),
    /** Whether `npm start` starts the tracker in the same process. */
    TRACKER_EMBEDDED: booleanish.default(true),
    /** How long a sign-in lasts. */
    SESSION_TTL_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 365)
      .default(24 * 7),
    /** Largest single media file a creator may upload. */
    MAX_UPLOAD_MB: z.coerce
      .number()
      .positive()
      .max(1024 * 1024)
      .default(4096),
    /** Storage each creator may use, counted from the sizes of their uploads (admins have no quota). 0: no quota. */
    STORAGE_QUOTA_MB: z.coerce
      .number()
      .min(0)
      .max(1024 * 1024 * 1024)
      .default(50 * 1024),
    /** How long a search result page is fresh in memory; stale pages are served up to 9x longer while they refresh (0 disables the cache). */
    SEARCH_CACHE_SECONDS: z.coerce.number().min(0).max(3600).default(30),
    /** Create the demo creator and 360 clip on start. */
    SEED_DEMO: booleanish.default(true),
    /** Secret for signing private and unlisted media URLs (32+ characters); every origin of one platform needs the same. Default: generated once into DATA_DIR/secrets. */
    MEDIA_URL_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 48)').optional(),
    /** How long a signed media URL works. */
    MEDIA_URL_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(6 * 3600),
    /** Port of the RTMP ingest (`rtmp://HOST:RTMP_PORT/live/<streamKey>`) that `npm start` opens for OBS and other encoders. */
    RTMP_PORT: portSchema.default(1935),
    /** How long a live channel whose ingest stopped shows `reconnecting` before its broadcast ends and becomes a VOD. */
    LIVE_GRACE_SECONDS: z.coerce
      .number()
      .min(1)
      .max(24 * 3600)
      .default(60),
    /** How much of a broadcast the viewers' live playlists hold (the DVR window); the whole recording is kept beside it. */
    LIVE_WINDOW_SECONDS: z.coerce
      .number()
      .min(4)
      .max(6 * 3600)
      .default(30),
    /** Rungs the RTMP transcoder encodes, largest first (WIDTHxHEIGHT, comma-separated): what this machine encodes in real time. */
    LIVE_RTMP_RUNGS: z
      .string()
      .regex(/^[0-9]{2,4}x[0-9]{2,4}(,[0-9]{2,4}x[0-9]{2,4}){0,3}$/, 'must be 1 to 4 rungs WIDTHxHEIGHT separated by commas, e.g. 1280x640,640x320')
      .default('1280x640,640x320'),
    /** x264 preset of the RTMP transcoder. */
    LIVE_RTMP_PRESET: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).default('superfast'),
    /** STUN servers handed to viewers, comma-separated (e.g. stun:turn.example.com:3478). Unset: none (peers on one machine or LAN only). */
    STUN_URLS: iceUrlList(stunUrlSchema).optional(),
    /** TURN servers handed to viewers with per-viewer credentials, comma-separated (e.g. turn:turn.example.com:3478?transport=udp,turns:turn.example.com:5349). Needs TURN_SECRET. */
    TURN_URLS: iceUrlList(turnUrlSchema).optional(),
    /** coturn's static-auth-secret (use-auth-secret): signs the viewers' short-lived TURN credentials; never sent to a browser. */
    TURN_SECRET: z.string().min(16, 'must be at least 16 characters (e.g. openssl rand -hex 32), the same as static-auth-secret in turnserver.conf').optional(),
    /** How long a viewer's TURN credential works. */
    TURN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(3600),
    /** Relayed peers: off (never), fallback (only where no direct or STUN path works), always (every peer through TURN). */
    P2P_RELAY: relayPolicySchema.default('fallback'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Where web uploads (tus) are written while they arrive and until they are processed. Default DATA_DIR/uploads. */
    UPLOADS_DIR: z.string().min(1).optional(),
    /** Largest raw video a creator may upload from the browser (tus). */
    UPLOAD_MAX_MB: z.coerce
      .number()
      .positive()
      .max(1024 * 1024)
      .default(16 * 1024),
    /** Largest raw video an admin may upload. */
    UPLOAD_MAX_MB_ADMIN: z.coerce
      .number()
      .positive()
      .max(1024 * 1024)
      .default(64 * 1024),
    /** How long an unfinished upload may sit before its partial data is removed. */
    UPLOAD_EXPIRY_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .default(24),
    /** Where published media live: `local` files in MEDIA_DIR, or `s3`, an S3-compatible bucket (S3_*). */
    STORAGE: z.enum(['local', 's3']).default('local'),
    /** S3 endpoint, e.g. http://minio:9000; unset: AWS's endpoint for S3_REGION. */
    S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    S3_BUCKET: z.string().min(3).max(63).optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** Bucket in the URL path (MinIO and most S3-compatible servers); default true when S3_ENDPOINT is set. */
    S3_FORCE_PATH_STYLE: booleanish.optional(),
    /**
     * Who sends the bytes of published files other than playlists: `origin` (it reads them from
     * storage and sends them) or, with STORAGE=s3, `bucket` (it checks access, then redirects to a
     * presigned bucket URL, or for public content to MEDIA_PUBLIC_BASE_URL when set).
     */
    MEDIA_DELIVERY: z.enum(['origin', 'bucket']).default('origin'),
    /** A CDN (or the bucket's public address) serving the bucket's keys: public media redirect to it + the key. */
    MEDIA_PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** How long a presigned bucket URL (private and unlisted media, or all without a CDN) works. */
    MEDIA_PRESIGN_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
    /** Uploads one worker (the origin's own, or each `npm run worker`) processes at once. */
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
    /** Whether the origin processes uploads itself; false leaves them to `npm run worker` processes. */
    EMBEDDED_WORKER: booleanish.default(true),
    /** A processing job running longer (e.g. its worker was killed) is given to another worker. */
    JOB_TIMEOUT_SECONDS: z.coerce
      .number()
      .int()
      .min(5)
      .max(24 * 3600)
      .default(3600),
    /** Serve HTTPS (and the embedded tracker as wss://): WebXR needs a secure context on a headset. Default: true when TLS_CERT is set. */
    HTTPS: booleanish.optional(),
    /** Path of the operator's PEM certificate (chain); unset with HTTPS=true: a self-signed one in DATA_DIR/tls. */
    TLS_CERT: z.string().min(1).optional(),
    /** Path of the certificate's unencrypted PEM private key. */
    TLS_KEY: z.string().min(1).optional(),
  })
  .superRefine((e, ctx) => {
    if ((e.TLS_CERT === undefined) !== (e.TLS_KEY === undefined)) {
      const missing = e.TLS_CERT === undefined ? 'TLS_CERT' : 'TLS_KEY';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'TLS_CERT and TLS_KEY go together: set both (PEM certificate and its key) or neither.' });
    }
    if (e.HTTPS === false && e.TLS_CERT !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['HTTPS'], message: 'HTTPS=false but TLS_CERT is set: unset TLS_CERT/TLS_KEY, or HTTPS.' });
    }
    if ((e.TURN_URLS?.length ?? 0) > 0 && e.TURN_SECRET === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['TURN_SECRET'],
        message: 'TURN_URLS is set but TURN_SECRET is not: set it to the static-auth-secret of your coturn (turnserver.conf), or unset TURN_URLS.',
      });
    }
    if (e.TURN_SECRET !== undefined && (e.TURN_URLS?.length ?? 0) === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['TURN_URLS'],
        message: 'TURN_SECRET is set but TURN_URLS is not: list your TURN server(s), e.g. turn:turn.example.com:3478, or unset TURN_SECRET.',
      });
    }
    if (e.STORAGE === 's3') {
      for (const name of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
        if (e[name] === undefined)
          ctx.addIssue({ code: 'custom', path: [name], message: `STORAGE=s3 needs ${name} (and S3_ENDPOINT for a server other than AWS).` });
      }
    }
    if (e.MEDIA_DELIVERY === 'bucket' && e.STORAGE !== 's3') {
      ctx.addIssue({
        code: 'custom',
        path: ['MEDIA_DELIVERY'],
        message: 'MEDIA_DELIVERY=bucket needs STORAGE=s3: with local files the origin (or nginx) sends the bytes.',
      });
    }
    if (e.P2P_RELAY === 'always' && (e.TURN_URLS?.length ?? 0) === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['P2P_RELAY'],
        message: 'P2P_RELAY=always needs TURN_URLS and TURN_SECRET: without a relay no peer could connect.',
      });
    }
    const https = e.HTTPS ?? e.TLS_CERT !== undefined;
    if (https && e.TRACKER_URL?.startsWith('ws://')) {
      ctx.addIssue({
        code: 'custom',
        path: ['TRACKER_URL'],
        message: 'a page served over HTTPS may only open wss:// WebSockets: give a wss:// URL, or unset it to use the embedded tracker.',
      });
    }
  });

export interface OriginConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  mediaDir: string;
  trackerPort: number;
  trackerUrl: string | undefined;
  trackerEmbedded: boolean;
  sessionTtlMs: number;
  maxUploadBytes: number;
  /** Per-creator storage quota in bytes (STORAGE_QUOTA_MB); null: no quota. */
  storageQuotaBytes: number | null;
  searchCacheMs: number;
  seedDemo: boolean;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Serve HTTPS with {@link tlsCertFile}/{@link tlsKeyFile}, or a self-signed certificate in DATA_DIR/tls when they are unset. */
  https: boolean;
  mediaUrlSecret: string | undefined;
  mediaUrlTtlSeconds: number;
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** RTMP ingest port (0: any free one; the origin then records the one it got). */
  rtmpPort: number;
  liveGraceSeconds: number;
  liveWindowSeconds: number;
  /** The RTMP transcoder's ladder, largest first. */
  liveRtmpRungs: { width: number; height: number }[];
  liveRtmpPreset: string;
  /** STUN/TURN servers and the relay policy handed to viewers (core/ice-servers.ts). */
  ice: IceConfig;
  /** Web uploads (tus) in progress and waiting to be processed. */
  uploadsDir: string;
  /** Largest web upload per role; viewers do not upload. */
  uploadMaxBytes: { creator: number; admin: number };
  uploadExpiryMs: number;
  workerConcurrency: number;
  embeddedWorker: boolean;
  jobTimeoutSeconds: number;
  /** The bucket published media go to (STORAGE=s3), or null for local files in mediaDir. */
  s3: S3StorageConfig | null;
  /** Who sends published bytes (MEDIA_DELIVERY, MEDIA_PUBLIC_BASE_URL, MEDIA_PRESIGN_SECONDS; see core/media-delivery.ts). */
  mediaDelivery: { mode: 'origin' | 'bucket'; publicBaseUrl: string | null; presignSeconds: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the origin's configuration from the environment; throws a ConfigError naming each bad variable. */
export function loadOriginConfig(env: Record<string, string | undefined> = process.env): OriginConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid origin configuration:\n${lines.join('\n')}\nFix these environment variables and start again.`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    mediaDir: path.resolve(e.MEDIA_DIR ?? path.join(dataDir, 'media')),
    trackerPort: e.TRACKER_PORT,
    trackerUrl: e.TRACKER_URL,
    trackerEmbedded: e.TRACKER_EMBEDDED,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    maxUploadBytes: Math.round(e.MAX_UPLOAD_MB * 1024 * 1024),
    storageQuotaBytes: e.STORAGE_QUOTA_MB > 0 ? Math.round(e.STORAGE_QUOTA_MB * 1024 * 1024) : null,
    searchCacheMs: e.SEARCH_CACHE_SECONDS * 1000,
    seedDemo: e.SEED_DEMO,
    logLevel: e.LOG_LEVEL,
    https: e.HTTPS ?? e.TLS_CERT !== undefined,
    mediaUrlSecret: e.MEDIA_URL_SECRET,
    mediaUrlTtlSeconds: e.MEDIA_URL_TTL_SECONDS,
    tlsCertFile: e.TLS_CERT === undefined ? undefined : path.resolve(e.TLS_CERT),
    tlsKeyFile: e.TLS_KEY === undefined ? undefined : path.resolve(e.TLS_KEY),
    rtmpPort: e.RTMP_PORT,
    liveGraceSeconds: e.LIVE_GRACE_SECONDS,
    liveWindowSeconds: e.LIVE_WINDOW_SECONDS,
    liveRtmpRungs: e.LIVE_RTMP_RUNGS.split(',').map((rung) => {
      const [width = 0, height = 0] = rung.split('x').map(Number);
      return { width, height };
    }),
    liveRtmpPreset: e.LIVE_RTMP_PRESET,
    ice: {
      stunUrls: e.STUN_URLS ?? [],
      turnUrls: e.TURN_URLS ?? [],
      turnSecret: e.TURN_SECRET,
      turnTtlSeconds: e.TURN_TTL_SECONDS,
      relayPolicy: e.P2P_RELAY,
    },
    uploadsDir: path.resolve(e.UPLOADS_DIR ?? path.join(dataDir, 'uploads')),
    uploadMaxBytes: { creator: Math.round(e.UPLOAD_MAX_MB * 1024 * 1024), admin: Math.round(e.UPLOAD_MAX_MB_ADMIN * 1024 * 1024) },
    uploadExpiryMs: e.UPLOAD_EXPIRY_HOURS * 3600_000,
    workerConcurrency: e.WORKER_CONCURRENCY,
    embeddedWorker: e.EMBEDDED_WORKER,
    jobTimeoutSeconds: e.JOB_TIMEOUT_SECONDS,
    s3:
      e.STORAGE === 's3' && e.S3_BUCKET && e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
        ? {
            endpoint: e.S3_ENDPOINT,
            bucket: e.S3_BUCKET,
            region: e.S3_REGION,
            accessKeyId: e.S3_ACCESS_KEY_ID,
            secretAccessKey: e.S3_SECRET_ACCESS_KEY,
            forcePathStyle: e.S3_FORCE_PATH_STYLE ?? e.S3_ENDPOINT !== undefined,
          }
        : null,
    mediaDelivery: { mode: e.MEDIA_DELIVERY, publicBaseUrl: e.MEDIA_PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? null, presignSeconds: e.MEDIA_PRESIGN_SECONDS },
  };
}
