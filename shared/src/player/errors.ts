/** What went wrong in the player. */
export const PLAYER_ERROR_CODES = {
  /** The browser has neither Media Source Extensions nor native HLS. Fatal. */
  unsupported: 'unsupported',
  /** The segment hash list failed to load; P2P is switched off and playback goes on over HTTP. */
  'hashes-unavailable': 'hashes-unavailable',
  /** The tracker cannot be reached; playback goes on over HTTP, the tracker client keeps retrying. */
  tracker: 'tracker',
  /** An HTTP segment request failed; the loader retries. */
  segment: 'segment',
  /** Fresh ICE servers (TURN credentials) could not be fetched; the player retries, peers reached so far stay. */
  'ice-refresh': 'ice-refresh',
  /** A network error hls.js could not absorb; the player restarts loading. */
  network: 'network',
  /** A decode/buffer error; the player asks hls.js to recover the media element. */
  media: 'media',
  /** An ad break or an ad failed (asset list timed out or invalid, creative missing or undecodable); it was skipped and the content plays on. */
  ad: 'ad',
  /** Playback cannot continue. Fatal. */
  playback: 'playback',
} as const;
export type PlayerErrorCode = keyof typeof PLAYER_ERROR_CODES;

/** Errors are data: a code, a sentence for the viewer or the log, and whether playback has stopped. */
export type PlayerError = {
  code: PlayerErrorCode;
  message: string;
  /** True when playback cannot continue without a reload. */
  fatal: boolean;
  cause?: unknown;
};

export function playerError(code: PlayerErrorCode, message: string, fatal: boolean, cause?: unknown): PlayerError {
  return cause === undefined ? { code, message, fatal } : { code, message, fatal, cause };
}
