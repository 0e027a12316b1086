import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
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

/** A PEM certificate (chain) and its private key, as text or bytes. */
export interface TrackerTlsOptions {
  /** PEM certificate, followed by any intermediate certificates. */
  readonly cert: string | Buffer;
  /** PEM private key of `cert` (unencrypted). */
  readonly key: string | Buffer;
}

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
   * Serve over TLS (`wss://`, and `https://` for the operator endpoints) with this certificate and
   * key; `null` serves plain `ws://`. Browsers need `wss://` when the page is served over HTTPS
   * (WebXR pages are). Env `TRACKER_TLS_CERT` and `TRACKER_TLS_KEY` (paths of PEM files, set both).
   * Default: `null`.
   */
  tls: TrackerTlsOptions | null;
  /**
   * Port of a separate HTTP server for `GET /stats.json` and `GET /metrics` (`0` picks a free one).
   * When set, the public port no longer serves them (it answers 404). `null` serves them on the
   * public port. Env `TRACKER_OPS_PORT`. Default: `null`.
   */
  opsPort: number | null;
  /**
   * Interface the separate operator server binds; only allowed with `opsPort`. `null` means
   * `'127.0.0.1'` when `opsPort` is set. Env `TRACKER_OPS_HOST`. Default: `null`.
   */
  opsHost: string | null;
  /**
   * Bearer token the operator endpoints require (`Authorization: Bearer <token>`, at least 16
   * characters); `null` lets anyone who reaches them read them. Env `TRACKER_OPS_TOKEN`. Default: `null`.
   */
  opsToken: string | null;
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
  tls: null,
  opsPort: null,
  opsHost: null,
  opsToken: null,
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

const seconds = z
  .number()
  .positive()
  .max(24 * 3600);
const positiveInt = z.number().int().positive().max(1_000_000_000);

const pem = z.union([z.string(), z.instanceof(Buffer)]).refine((value) => value.includes('-----BEGIN '), 'must be PEM text (-----BEGIN ...)');
const portSchema = z.number().int().min(0).max(65535);

const configSchema = z.object({
  port: portSchema,
  host: z.string().min(1),
  tls: z.object({ cert: pem, key: pem }).nullable(),
  opsPort: portSchema.nullable(),
  opsHost: z.string().min(1).nullable(),
  opsToken: z
    .string()
    .min(16, 'must be at least 16 characters (e.g. openssl rand -hex 32)')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it travels in an HTTP header)')
    .nullable(),
  allowedOrigins: z.union([z.literal('*'), z.array(originSchema).min(1)]),
  announceIntervalSeconds: seconds,
  idleTimeoutSeconds: seconds.nullable(),
  maxMessageBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024),
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
  opsPort: 'TRACKER_OPS_PORT',
  opsHost: 'TRACKER_OPS_HOST',
  opsToken: 'TRACKER_OPS_TOKEN',
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

/** Variables naming the PEM files of {@link TrackerConfig.tls}; both or neither must be set. */
export const TRACKER_TLS_ENV_VARS = { cert: 'TRACKER_TLS_CERT', key: 'TRACKER_TLS_KEY' } as const;

type EnvField = keyof typeof TRACKER_ENV_VARS;

const SECRET_FIELDS: ReadonlySet<string> = new Set<EnvField>(['opsToken', 'clusterSecret']);

function isEnvField(field: string): field is EnvField {
  return Object.hasOwn(TRACKER_ENV_VARS, field);
}

/** The validated configuration the server runs with (idle timeout resolved, URLs normalised). */
export interface ResolvedTrackerConfig extends Readonly<TrackerConfig> {
  readonly idleTimeoutSeconds: number;
  /** `null` exactly when `opsPort` is. */
  readonly opsHost: string | null;
}

/** Where the separate operator server binds when {@link TrackerConfig.opsHost} is `null`. */
const DEFAULT_OPS_HOST = '127.0.0.1';

function stripTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/**
 * Merges `partial` onto {@link trackerDefaults} and validates it; throws {@link TrackerConfigError}
 * naming the bad field.
 */
export function resolveTrackerConfig(partial: Partial<TrackerConfig> = {}): ResolvedTrackerConfig {
  const logLevel: LogLevel = process.env.NODE_ENV === 'test' ? 'silent' : trackerDefaults.logLevel;
  return validateConfig(
    { ...partial, logLevel: partial.logLevel ?? logLevel },
    (field) => field,
    () => undefined,
  );
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
      // tls.cert and tls.key come from separate variables, so they are named separately.
      const nested = issue.path[0] === 'tls' && issue.path.length > 1;
      const field = nested ? issue.path.slice(0, 2).join('.') : String(issue.path[0] ?? '');
      const item = !nested && issue.path.length > 1 ? ` (item ${issue.path.slice(1).join('.')})` : '';
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
    fail(
      'idleTimeoutSeconds',
      `must be longer than ${naming('announceIntervalSeconds')} (${config.announceIntervalSeconds}s), or peers are dropped between announces`,
    );
  }
  const clusterPeers = [...new Set(config.clusterPeers.map(stripTrailingSlash))];
  const self = config.self === null ? null : stripTrailingSlash(config.self);
  if (clusterPeers.length > 1) {
    if (self === null) fail('self', `is required when ${naming('clusterPeers')} lists several instances: set it to this instance's URL as written there`);
    else if (!clusterPeers.includes(self)) fail('self', `(${self}) must be one of ${naming('clusterPeers')} (${clusterPeers.join(', ')})`);
    if (config.clusterSecret === null)
      fail('clusterSecret', `is required when ${naming('clusterPeers')} lists several instances (instances authenticate each other with it)`);
  }
  if (config.opsHost !== null && config.opsPort === null) {
    // Otherwise an operator who meant to move the endpoints to a private interface leaves them public.
    fail('opsHost', `only applies with ${naming('opsPort')}: set ${naming('opsPort')} too, so the operator endpoints leave the public port`);
  }
  if (config.opsPort !== null && config.opsPort !== 0 && config.opsPort === config.port) {
    fail('opsPort', `must differ from ${naming('port')} (${config.port}): the operator endpoints get their own server, off the public port`);
  }
  if (config.tls !== null) {
    try {
      // Loads the pair the way the server will, so a bad file stops the program now, not at the first client.
      createSecureContext({ cert: config.tls.cert, key: config.tls.key });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      fail('tls', `could not be used (${reason}): give a PEM certificate and the unencrypted PEM private key that belongs to it`);
    }
  }
  const opsHost = config.opsPort === null ? null : (config.opsHost ?? DEFAULT_OPS_HOST);
  return { ...config, idleTimeoutSeconds, clusterPeers, self, opsHost };
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
  opsPort: parseNumber,
  opsHost: (value) => value.trim(),
  opsToken: (value) => value.trim(),
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
  const tlsFromEnv = overrides.tls === undefined && readTlsFiles(env, partial);
  const envName = (field: string): string => {
    if (tlsFromEnv && field === 'tls') return `${TRACKER_TLS_ENV_VARS.cert} / ${TRACKER_TLS_ENV_VARS.key}`;
    if (tlsFromEnv && (field === 'tls.cert' || field === 'tls.key')) return TRACKER_TLS_ENV_VARS[field === 'tls.cert' ? 'cert' : 'key'];
    return isEnvField(field) && !(field in overrides) ? TRACKER_ENV_VARS[field] : field;
  };
  // Secrets are never echoed into an error message (it ends up in logs).
  const raw = (field: string): string | undefined =>
    isEnvField(field) && !(field in overrides) && !SECRET_FIELDS.has(field) ? env[TRACKER_ENV_VARS[field]] : undefined;
  return validateConfig({ ...partial, ...overrides }, envName, raw);
}

/**
 * Reads the PEM files named by `TRACKER_TLS_CERT` / `TRACKER_TLS_KEY` into `partial.tls`. Returns
 * whether they were set; throws {@link TrackerConfigError} when only one is set or a file cannot be read.
 */
function readTlsFiles(env: Readonly<Record<string, string | undefined>>, partial: Record<string, unknown>): boolean {
  const certPath = env[TRACKER_TLS_ENV_VARS.cert]?.trim() ?? '';
  const keyPath = env[TRACKER_TLS_ENV_VARS.key]?.trim() ?? '';
  if (certPath === '' && keyPath === '') return false;
  if (certPath === '' || keyPath === '') {
    const missing = certPath === '' ? TRACKER_TLS_ENV_VARS.cert : TRACKER_TLS_ENV_VARS.key;
    const given = certPath === '' ? TRACKER_TLS_ENV_VARS.key : TRACKER_TLS_ENV_VARS.cert;
    throw new TrackerConfigError(
      `Invalid tracker configuration: ${missing} is required when ${given} is set (set both to PEM file paths for wss://, or neither for ws://)`,
      [missing],
    );
  }
  const read = (name: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TrackerConfigError(`Invalid tracker configuration: ${name} could not be read (${reason}); set it to the path of a readable PEM file`, [name]);
    }
  };
  partial.tls = { cert: read(TRACKER_TLS_ENV_VARS.cert, certPath), key: read(TRACKER_TLS_ENV_VARS.key, keyPath) };
  return true;
}
