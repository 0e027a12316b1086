import { z } from 'zod';
import { LOG_LEVEL_NAMES, type LogLevel } from '../ops/logger.ts';

/** Context handed to {@link TrackerConfig.isInfoHashAllowed}. */
export interface InfoHashCheckContext {
  /** `Origin` header of the page that opened the WebSocket, or `null` when the client sent none. */
  readonly origin: string | null;
  /** Client IP address (first `X-Forwarded-For` entry when {@link TrackerConfig.trustProxy} is on). */
  readonly ip: string;
}

/**
 * Decides whether a swarm may exist on this tracker (private swarms). Called once per
 * connection and info_hash, on the first announce; a rejection or a thrown error refuses it.
 */
export type InfoHashPredicate = (infoHashHex: string, context: InfoHashCheckContext) => boolean | Promise<boolean>;

/**
 * Everything the tracker can be told. `new TrackerServer(partial)` merges a partial config onto
 * {@link trackerDefaults} and validates the result; `loadTrackerConfig(env)` builds one from the
 * `TRACKER_*` environment variables named on each field.
 */
export interface TrackerConfig {
  /** TCP port of the HTTP + WebSocket server; `0` picks a free one. Env `TRACKER_PORT`. Default: `8000`. */
  port: number;
  /** Interface to bind. Env `TRACKER_HOST`. Default: `'0.0.0.0'`. */
  host: string;
  /**
   * Page origins allowed to open a WebSocket (checked on the upgrade `Origin` header), or `'*'` for
   * any (including clients that send no `Origin`). With a list, a missing `Origin` is refused.
   * Env `TRACKER_ALLOWED_ORIGINS` (`*` or comma-separated origins). Default: `'*'`.
   */
  allowedOrigins: '*' | readonly string[];
  /** Seconds between announces, sent to clients as `interval`. Env `TRACKER_ANNOUNCE_INTERVAL`. Default: `120`. */
  announceIntervalSeconds: number;
  /**
   * A peer that has not announced for this long is dropped from its swarm, and a connection
   * silent this long is closed. `null` means `2 × announceIntervalSeconds + 30`.
   * Env `TRACKER_IDLE_TIMEOUT` (seconds). Default: `null`.
   */
  idleTimeoutSeconds: number | null;
  /** Largest WebSocket message accepted; bigger ones close the connection (1009). Env `TRACKER_MAX_MESSAGE_BYTES`. Default: `65536`. */
  maxMessageBytes: number;
  /** Most offers one announce may carry (the bittorrent-tracker client sends at most 5). Env `TRACKER_MAX_OFFERS`. Default: `10`. */
  maxOffersPerAnnounce: number;
  /** Most swarms one connection may join (also the most info_hashes in one scrape). Env `TRACKER_MAX_SWARMS_PER_CONNECTION`. Default: `32`. */
  maxSwarmsPerConnection: number;
  /** Most simultaneous WebSocket connections from one IP. Env `TRACKER_MAX_CONNECTIONS_PER_IP`. Default: `64`. */
  maxConnectionsPerIp: number;
  /**
   * Sustained messages (announces, answers, scrapes) per second per connection; bursts up to twice
   * this are absorbed, beyond that the connection is closed (1008). Env `TRACKER_MAX_ANNOUNCES_PER_SECOND`. Default: `20`.
   */
  maxAnnouncesPerSecond: number;
  /** Hex info_hashes allowed to form swarms, or `null` for any. Env `TRACKER_ALLOWED_INFO_HASHES` (comma-separated). Default: `null`. */
  allowedInfoHashes: readonly string[] | null;
  /** Extra check for private swarms, supplied in code (e.g. by the origin). Both it and `allowedInfoHashes` must allow. Default: `null`. */
  isInfoHashAllowed: InfoHashPredicate | null;
  /** Take the client IP from `X-Forwarded-For` (behind a reverse proxy). Env `TRACKER_TRUST_PROXY`. Default: `false`. */
  trustProxy: boolean;
  /**
   * WebSocket URLs of every tracker instance sharing the swarms (this one included); swarms are split
   * between them by a consistent-hash ring of the info_hash. Empty or one entry: no sharding.
   * Env `TRACKER_PEERS` (comma-separated). Default: `[]`.
   */
  clusterPeers: readonly string[];
  /** This instance's URL as written in `clusterPeers`. Env `TRACKER_SELF`. Default: `null` (required with peers). */
  self: string | null;
  /** Shared secret instances present to each other when proxying. Env `TRACKER_CLUSTER_SECRET`. Default: `null` (required with peers). */
  clusterSecret: string | null;
  /** Lowest level written to the log. Env `TRACKER_LOG_LEVEL`. Default: `'info'` (`'silent'` when `NODE_ENV=test`). */
  logLevel: LogLevel;
  /** Where each JSON log line goes. Default: standard output. */
  logSink: ((line: string) => void) | null;
}

/** Defaults for every field of {@link TrackerConfig}; see each field for its meaning. */
export const trackerDefaults: Readonly<TrackerConfig> = Object.freeze({
  port: 8000,
  host: '0.0.0.0',
  allowedOrigins: '*',
  announceIntervalSeconds: 120,
  idleTimeoutSeconds: null,
  maxMessageBytes: 64 * 1024,
  maxOffersPerAnnounce: 10,
  maxSwarmsPerConnection: 32,
  maxConnectionsPerIp: 64,
  maxAnnouncesPerSecond: 20,
  allowedInfoHashes: null,
  isInfoHashAllowed: null,
  trustProxy: false,
  clusterPeers: [],
  self: null,
  clusterSecret: null,
  logLevel: 'info',
  logSink: null,
});

/** Raised when the configuration (code or environment) is wrong; `message` names the offending setting. */
export class TrackerConfigError extends Error {
  readonly code = 'invalid-config';
  readonly fatal = true;
  constructor(
    message: string,
    /** Names of the settings (field or environment variable) that failed. */
    readonly settings: readonly string[],
  ) {
    super(message);
    this.name = 'TrackerConfigError';
  }
}

const hexInfoHash = z
  .string()
  .regex(/^[0-9a-fA-F]{40}$/, 'must be 40 hexadecimal characters')
  .transform((hash) => hash.toLowerCase());

const originSchema = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}, 'must be an origin such as https://example.com (scheme, host and optional port, no path or trailing slash)');

const wsUrlSchema = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'ws:' || url.protocol === 'wss:';
  } catch {
    return false;
  }
}, 'must be a ws:// or wss:// URL');

const seconds = z.number().positive().max(24 * 3600);
const positiveInt = z.number().int().positive().max(1_000_000_000);

const configSchema = z.object({
  port: z.number().int().min(0).max(65535),
  host: z.string().min(1),
  allowedOrigins: z.union([z.literal('*'), z.array(originSchema).min(1)]),
  announceIntervalSeconds: seconds,
  idleTimeoutSeconds: seconds.nullable(),
  maxMessageBytes: z.number().int().min(1024).max(16 * 1024 * 1024),
  maxOffersPerAnnounce: z.number().int().min(1).max(100),
  maxSwarmsPerConnection: positiveInt,
  maxConnectionsPerIp: positiveInt,
  maxAnnouncesPerSecond: z.number().positive(),
  allowedInfoHashes: z.array(hexInfoHash).nullable(),
  isInfoHashAllowed: z.custom<InfoHashPredicate>((value) => typeof value === 'function').nullable(),
  trustProxy: z.boolean(),
  clusterPeers: z.array(wsUrlSchema),
  self: wsUrlSchema.nullable(),
  clusterSecret: z.string().min(16, 'must be at least 16 characters').nullable(),
  logLevel: z.enum(LOG_LEVEL_NAMES),
  logSink: z.custom<(line: string) => void>((value) => typeof value === 'function').nullable(),
});

/** Environment variable behind each config field, used to name it in error messages. */
export const TRACKER_ENV_VARS = {
  port: 'TRACKER_PORT',
  host: 'TRACKER_HOST',
  allowedOrigins: 'TRACKER_ALLOWED_ORIGINS',
  announceIntervalSeconds: 'TRACKER_ANNOUNCE_INTERVAL',
  idleTimeoutSeconds: 'TRACKER_IDLE_TIMEOUT',
  maxMessageBytes: 'TRACKER_MAX_MESSAGE_BYTES',
  maxOffersPerAnnounce: 'TRACKER_MAX_OFFERS',
  maxSwarmsPerConnection: 'TRACKER_MAX_SWARMS_PER_CONNECTION',
  maxConnectionsPerIp: 'TRACKER_MAX_CONNECTIONS_PER_IP',
  maxAnnouncesPerSecond: 'TRACKER_MAX_ANNOUNCES_PER_SECOND',
  allowedInfoHashes: 'TRACKER_ALLOWED_INFO_HASHES',
  trustProxy: 'TRACKER_TRUST_PROXY',
  clusterPeers: 'TRACKER_PEERS',
  self: 'TRACKER_SELF',
  clusterSecret: 'TRACKER_CLUSTER_SECRET',
  logLevel: 'TRACKER_LOG_LEVEL',
} as const satisfies Partial<Record<keyof TrackerConfig, string>>;

type EnvField = keyof typeof TRACKER_ENV_VARS;

function isEnvField(field: string): field is EnvField {
  return Object.hasOwn(TRACKER_ENV_VARS, field);
}

/** The validated configuration the server runs with (idle timeout resolved, URLs normalised). */
export interface ResolvedTrackerConfig extends Readonly<TrackerConfig> {
  readonly idleTimeoutSeconds: number;
}

function stripTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/**
 * Merges `partial` onto {@link trackerDefaults} and validates it; throws {@link TrackerConfigError}
 * naming the bad field.
 */
export function resolveTrackerConfig(partial: Partial<TrackerConfig> = {}): ResolvedTrackerConfig {
  const logLevel: LogLevel = process.env.NODE_ENV === 'test' ? 'silent' : trackerDefaults.logLevel;
  return validateConfig({ ...partial, logLevel: partial.logLevel ?? logLevel }, (field) => field, () => undefined);
}

/** `naming` maps a field to the name used in messages (its environment variable when loading the environment). */
function validateConfig(
  partial: Readonly<Record<string, unknown>>,
  naming: (field: string) => string,
  rawValue: (field: string) => string | undefined,
): ResolvedTrackerConfig {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
  const merged = { ...trackerDefaults, ...defined };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '');
      const item = issue.path.length > 1 ? ` (item ${issue.path.slice(1).join('.')})` : '';
      const raw = rawValue(field);
      const got = raw === undefined ? '' : ` (got ${JSON.stringify(raw)})`;
      const text = issue.code === 'invalid_type' ? `must be a ${issue.expected}` : issue.message;
      return { setting: naming(field), text: `${naming(field)}${item} ${text}${got}` };
    });
    throw new TrackerConfigError(
      `Invalid tracker configuration: ${problems.map((p) => p.text).join('; ')}`,
      problems.map((p) => p.setting),
    );
  }
  const config = parsed.data;
  const fail = (field: keyof TrackerConfig, text: string): never => {
    throw new TrackerConfigError(`Invalid tracker configuration: ${naming(field)} ${text}`, [naming(field)]);
  };
  const idleTimeoutSeconds = config.idleTimeoutSeconds ?? 2 * config.announceIntervalSeconds + 30;
  if (idleTimeoutSeconds <= config.announceIntervalSeconds) {
    fail('idleTimeoutSeconds', `must be longer than ${naming('announceIntervalSeconds')} (${config.announceIntervalSeconds}s), or peers are dropped between announces`);
  }
  const clusterPeers = [...new Set(config.clusterPeers.map(stripTrailingSlash))];
  const self = config.self === null ? null : stripTrailingSlash(config.self);
  if (clusterPeers.length > 1) {
    if (self === null) fail('self', `is required when ${naming('clusterPeers')} lists several instances: set it to this instance's URL as written there`);
    else if (!clusterPeers.includes(self)) fail('self', `(${self}) must be one of ${naming('clusterPeers')} (${clusterPeers.join(', ')})`);
    if (config.clusterSecret === null) fail('clusterSecret', `is required when ${naming('clusterPeers')} lists several instances (instances authenticate each other with it)`);
  }
  return { ...config, idleTimeoutSeconds, clusterPeers, self };
}

function parseList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function parseNumber(value: string): number {
  // Number('') is 0 and Number('12px') is NaN: only plain decimal numbers count.
  return /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
}

function parseBoolean(value: string): boolean | string {
  const normalised = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalised)) return true;
  if (['0', 'false', 'no', 'off'].includes(normalised)) return false;
  return value; // left as a string so validation reports it
}

const envParsers: { [K in EnvField]: (value: string) => unknown } = {
  port: parseNumber,
  host: (value) => value.trim(),
  allowedOrigins: (value) => (value.trim() === '*' ? '*' : parseList(value)),
  announceIntervalSeconds: parseNumber,
  idleTimeoutSeconds: parseNumber,
  maxMessageBytes: parseNumber,
  maxOffersPerAnnounce: parseNumber,
  maxSwarmsPerConnection: parseNumber,
  maxConnectionsPerIp: parseNumber,
  maxAnnouncesPerSecond: parseNumber,
  allowedInfoHashes: parseList,
  trustProxy: parseBoolean,
  clusterPeers: parseList,
  self: (value) => value.trim(),
  clusterSecret: (value) => value,
  logLevel: (value) => value.trim().toLowerCase(),
};

/**
 * Reads the `TRACKER_*` variables (see {@link TRACKER_ENV_VARS}) from `env`, fills the rest from
 * {@link trackerDefaults}, and validates. Throws {@link TrackerConfigError} naming the bad variable.
 * Unset or empty variables take the default.
 */
export function loadTrackerConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: Partial<TrackerConfig> = {},
): ResolvedTrackerConfig {
  const partial: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(TRACKER_ENV_VARS)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '' || !isEnvField(field)) continue;
    partial[field] = envParsers[field](raw);
  }
  if (env.NODE_ENV === 'test' && partial.logLevel === undefined) partial.logLevel = 'silent';
  const envName = (field: string): string =>
    isEnvField(field) && !(field in overrides) ? TRACKER_ENV_VARS[field] : field;
  const raw = (field: string): string | undefined => (isEnvField(field) && !(field in overrides) ? env[TRACKER_ENV_VARS[field]] : undefined);
  return validateConfig({ ...partial, ...overrides }, envName, raw);
}
