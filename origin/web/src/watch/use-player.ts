import { useEffect, useState } from 'react';
import type { RelayPolicy } from '@spherecast/shared';
import {
  createPlayer,
  emptyPlayerStats,
  type Player,
  type PlayerError,
  type PlayerLevel,
  type PlayerLevelState,
  type PlayerStats,
} from '@spherecast/shared/player';
import { freshIceServers } from './session-api.ts';

export type PlayerSource = {
  masterUrl: string;
  trackerUrl: string | null;
  segmentHashesUrl: string | null;
  swarmId: string;
  startPosition: number;
  /** A live broadcast (the payload's `live`). */
  live: boolean;
  /** Start at this wall-clock time (ms since 1970) instead: where the viewer was when the broadcast ended. */
  startDate: number | null;
  /** STUN/TURN servers and relay policy from the playback payload. */
  iceServers: RTCIceServer[];
  relayPolicy: RelayPolicy;
  /** The payload's viewing session: fresh TURN credentials are asked for it before these expire. */
  sessionId?: string;
};

/**
 * Query switches for diagnosis and tests: `?p2p=0` plays from the server only; `?validate=0` stops
 * checking peer segments in this tab (other viewers still check what it relays).
 */
function switches(): { p2p: boolean; validate: boolean } {
  const params = new URLSearchParams(location.search);
  return { p2p: params.get('p2p') !== '0', validate: params.get('validate') !== '0' };
}

/** Runs createPlayer on `video` for `source` and mirrors its stats, levels and errors into React state. */
export function usePlayer(video: HTMLVideoElement | null, source: PlayerSource | null) {
  const [player, setPlayer] = useState<Player | null>(null);
  const [stats, setStats] = useState<PlayerStats>(emptyPlayerStats);
  const [levels, setLevels] = useState<readonly PlayerLevel[]>([]);
  const [level, setLevel] = useState<PlayerLevelState>({ auto: true, index: -1, level: null });
  const [error, setError] = useState<PlayerError | null>(null);
  const [ready, setReady] = useState(false);

  const key = source ? `${source.masterUrl}|${source.startPosition}|${source.live}|${source.startDate}|${source.segmentHashesUrl}` : null;
  useEffect(() => {
    if (!video || !source) return;
    const { p2p, validate } = switches();
    const p = createPlayer({
      video,
      validateSegments: validate,
      masterUrl: source.masterUrl,
      trackerUrls: source.trackerUrl ? [source.trackerUrl] : [],
      // Peer data is only used when it can be checked against the published hashes.
      p2p: p2p && source.trackerUrl !== null && source.segmentHashesUrl !== null,
      swarmId: source.swarmId,
      startPosition: source.startPosition,
      live: source.live,
      iceServers: source.iceServers,
      relayPolicy: source.relayPolicy,
      ...(source.sessionId ? { refreshIceServers: freshIceServers.bind(null, source.sessionId) } : {}),
      ...(source.startDate !== null ? { startDate: source.startDate } : {}),
      ...(source.segmentHashesUrl ? { segmentHashesUrl: source.segmentHashesUrl } : {}),
    });
    setPlayer(p);
    setStats(p.stats);
    setReady(false);
    setError(null);
    p.on('stats', setStats);
    p.on('levels', (l) => setLevels([...l]));
    p.on('level', setLevel);
    p.on('error', (e) => {
      if (e.fatal) setError(e);
      else console.info(`[player] ${e.code}: ${e.message}`);
    });
    p.start().then(
      () => setReady(true),
      (e: unknown) => setError({ code: 'playback', message: e instanceof Error ? e.message : String(e), fatal: true }),
    );
    return () => {
      p.destroy();
      setPlayer(null);
    };
    // `key` captures the source fields that matter.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [video, key]);

  return { player, stats, levels, level, error, ready };
}
