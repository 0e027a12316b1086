import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { IceServer, RelayPolicy } from '@spherecast/shared';

/**
 * ICE servers for viewers' WebRTC connections: the operator's STUN and TURN URLs, and per-viewer TURN
 * credentials made with the TURN REST API scheme coturn implements (`use-auth-secret` +
 * `static-auth-secret`): username `<expiry unix seconds>:<viewer>`, credential
 * base64(HMAC-SHA1(secret, username)). coturn recomputes the HMAC with the same secret and refuses the
 * username once its expiry has passed, so a browser only ever holds a credential that dies on its own.
 */

const HOST = String.raw`(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)`;
const PORT = String.raw`(:(?<port>[0-9]{1,5}))?`;
const STUN_URL = new RegExp(String.raw`^stuns?:${HOST}${PORT}$`);
const TURN_URL = new RegExp(String.raw`^turns?:${HOST}${PORT}(\?transport=(udp|tcp))?$`);

function iceUrl(pattern: RegExp, example: string) {
  return z
    .string()
    .trim()
    .refine((url) => {
      const match = pattern.exec(url);
      const port = match?.groups?.['port'];
      return match !== null && (port === undefined || (Number(port) >= 1 && Number(port) <= 65_535));
    }, `must look like ${example} (RFC 7064/7065: scheme, host, optional port; no user, path or spaces)`);
}

export const stunUrlSchema = iceUrl(STUN_URL, 'stun:stun.example.com:3478');
export const turnUrlSchema = iceUrl(TURN_URL, 'turn:turn.example.com:3478?transport=udp or turns:turn.example.com:5349');

/** A comma-separated list of URLs (what STUN_URLS and TURN_URLS hold), each checked by `url`. Empty entries are ignored. */
export function iceUrlList(url: z.ZodType<string, string>) {
  return z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    )
    .pipe(z.array(url).max(16, 'at most 16 URLs'));
}

/** What the origin hands out (OriginConfig.ice). */
export interface IceConfig {
  stunUrls: string[];
  turnUrls: string[];
  /** coturn's `static-auth-secret`; required with turnUrls. Never sent to a client. */
  turnSecret: string | undefined;
  /** How long a viewer's TURN credential works. */
  turnTtlSeconds: number;
  relayPolicy: RelayPolicy;
}

/** No ICE servers: peers on one machine or LAN only (what `npm start` does without configuration). */
export const NO_ICE_SERVERS: IceConfig = { stunUrls: [], turnUrls: [], turnSecret: undefined, turnTtlSeconds: 3600, relayPolicy: 'fallback' };

export interface TurnCredential {
  username: string;
  credential: string;
  /** When coturn starts refusing it. */
  expiresAt: Date;
}

/** A viewer id fit for a TURN username (no ':' — coturn splits the username at the first one). */
const VIEWER = /^[A-Za-z0-9_.-]{1,128}$/;

/** A TURN REST API credential for `viewerId`, valid for `ttlSeconds` from `now`. */
export function turnRestCredential(secret: string, viewerId: string, ttlSeconds: number, now: Date): TurnCredential {
  if (!VIEWER.test(viewerId)) throw new RangeError(`a TURN viewer id must be 1-128 of A-Z a-z 0-9 _ . - (got ${JSON.stringify(viewerId)})`);
  const expiry = Math.floor(now.getTime() / 1000) + Math.max(1, Math.round(ttlSeconds));
  const username = `${expiry}:${viewerId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt: new Date(expiry * 1000) };
}

/** The `iceServers` of one viewer's playback payload: STUN first, then TURN with that viewer's credential (unless relays are off). */
export function iceServersFor(config: IceConfig, viewerId: string, now: Date): IceServer[] {
  const servers: IceServer[] = [];
  if (config.stunUrls.length > 0) servers.push({ urls: [...config.stunUrls] });
  if (config.turnUrls.length > 0 && config.turnSecret !== undefined && config.relayPolicy !== 'off') {
    const { username, credential } = turnRestCredential(config.turnSecret, viewerId, config.turnTtlSeconds, now);
    servers.push({ urls: [...config.turnUrls], username, credential });
  }
  return servers;
}
