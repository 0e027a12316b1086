import { useEffect, useRef, useState } from 'react';
import './live-controls.css';
import type { Player, PlayerLiveState } from '@spherecast/shared/player';

/** Mirrors the player's live state (about once a second while live) into React state. */
export function usePlayerLive(player: Player | null): PlayerLiveState | null {
  const [live, setLive] = useState<PlayerLiveState | null>(null);
  useEffect(() => {
    if (!player) return;
    setLive(player.live);
    player.on('live', setLive);
    return () => {
      player.off('live', setLive);
      setLive(null);
    };
  }, [player]);
  return live;
}

/**
 * When the broadcast the player shows ends (its playlists got EXT-X-ENDLIST), remembers where the
 * viewer was (the wall-clock time of the frame on screen) and calls `onEnded` once, so the page can
 * fetch the playback payload again (now the recording, with its hash list) and carry on from there.
 * Returns that time, or null while nothing ended.
 */
export function useSwitchToRecording(player: Player | null, live: PlayerLiveState | null, onEnded: () => void): number | null {
  const [endedAt, setEndedAt] = useState<number | null>(null);
  const fired = useRef(false);
  useEffect(() => {
    if (!player || !live?.ended || fired.current) return;
    fired.current = true;
    setEndedAt(player.playingDate() ?? Date.now());
    onEnded();
  }, [player, live?.ended, onEnded]);
  return endedAt;
}

/** Within this many seconds of the live edge counts as live (one segment of slack). */
const AT_EDGE_SECONDS = 2.5;

/** The LIVE badge, "jump to live" when the viewer went back in the DVR window, and a DVR slider. */
export function LiveControls({ player, live, video }: { player: Player; live: PlayerLiveState; video: HTMLVideoElement }) {
  if (!live.live) return null;
  const atEdge = live.behindLiveSeconds <= AT_EDGE_SECONDS;
  const seekable = live.seekable;
  return (
    <div className="live-controls" data-testid="live-controls">
      <span className={atEdge ? 'live-badge' : 'live-badge live-badge-behind'} data-testid="live-badge" data-at-edge={atEdge}>
        LIVE
      </span>
      {atEdge ? null : (
        <button type="button" className="live-jump" data-testid="jump-to-live" onClick={() => player.seekToLive()}>
          Jump to live ({Math.round(live.behindLiveSeconds)} s behind)
        </button>
      )}
      {seekable && seekable.end - seekable.start > 1 ? (
        <input
          type="range"
          className="live-dvr"
          data-testid="live-dvr"
          aria-label="Go back in the broadcast"
          min={Math.floor(seekable.start)}
          max={Math.ceil(seekable.end)}
          step={1}
          value={Math.round(video.currentTime)}
          onChange={(event) => (video.currentTime = Number(event.currentTarget.value))}
        />
      ) : null}
    </div>
  );
}
