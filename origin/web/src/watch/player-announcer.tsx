import { useEffect, useRef, useState } from 'react';
import type { PlayerLevelState, PlayerStats } from '@spherecast/shared/player';

/** Buffering shorter than this is not worth interrupting a screen reader for. */
const BUFFERING_ANNOUNCE_MS = 1000;

/**
 * Tells screen-reader users, politely (after what they are hearing), what the player is doing:
 * playing, paused, ended, buffering, the quality it switched to, and whether it shares with other
 * viewers. Only changes are announced, one short sentence each.
 */
export function PlayerAnnouncer({
  video,
  level,
  stats,
  p2pActive,
}: {
  video: HTMLVideoElement;
  level: PlayerLevelState;
  stats: PlayerStats;
  p2pActive: boolean;
}) {
  const [message, setMessage] = useState('');

  useEffect(() => {
    let buffering: ReturnType<typeof setTimeout> | null = null;
    const clearBuffering = (): void => {
      if (buffering) clearTimeout(buffering);
      buffering = null;
    };
    const onPlaying = (): void => {
      clearBuffering();
      setMessage('Playing');
    };
    const onPause = (): void => {
      clearBuffering();
      if (!video.ended) setMessage('Paused');
    };
    const onEnded = (): void => {
      clearBuffering();
      setMessage('Ended');
    };
    const onWaiting = (): void => {
      clearBuffering();
      buffering = setTimeout(() => setMessage('Buffering'), BUFFERING_ANNOUNCE_MS);
    };
    video.addEventListener('playing', onPlaying);
    video.addEventListener('pause', onPause);
    video.addEventListener('ended', onEnded);
    video.addEventListener('waiting', onWaiting);
    return () => {
      clearBuffering();
      video.removeEventListener('playing', onPlaying);
      video.removeEventListener('pause', onPause);
      video.removeEventListener('ended', onEnded);
      video.removeEventListener('waiting', onWaiting);
    };
  }, [video]);

  // Quality: the first level is not news; later switches (automatic or chosen) are.
  const lastQuality = useRef<string | null>(null);
  const quality = level.level ? `${level.level.label}${level.auto ? ', automatic' : ''}` : null;
  useEffect(() => {
    if (quality === null) return;
    if (lastQuality.current !== null && lastQuality.current !== quality) setMessage(`Quality ${quality}`);
    lastQuality.current = quality;
  }, [quality]);

  // Sharing: announced when it starts and stops, not at every peer count change.
  const sharing = p2pActive && stats.peers > 0;
  const lastSharing = useRef(false);
  useEffect(() => {
    if (sharing === lastSharing.current) return;
    lastSharing.current = sharing;
    setMessage(sharing ? `Sharing the video with ${stats.peers} other viewer${stats.peers === 1 ? '' : 's'}` : 'No longer sharing with other viewers');
    // Only the on/off change matters; the count is read when it happens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sharing]);

  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="player-announcer">
      {message}
    </div>
  );
}
