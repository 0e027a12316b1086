import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SphereRenderer } from '@spherecast/shared/renderer';
import type { Player } from '@spherecast/shared/player';
import { ErrorState } from '../ui/states.tsx';
import { useAsync } from '../ui/use-async.ts';
import { LiveControls, usePlayerLive, useSwitchToRecording } from './live-controls.tsx';
import { P2pOverlay } from './p2p-overlay.tsx';
import { PlayerAnnouncer } from './player-announcer.tsx';
import { openSession, sendHeartbeat, type Session } from './session-api.ts';
import { takePrefetched } from './watch-prefetch.ts';
import { SphereStage } from './sphere-stage.tsx';
import { usePlayer, type PlayerSource } from './use-player.ts';
import { VideoControls } from './video-controls.tsx';
import { CaptionOverlay, CaptionsMenu, useCaptions } from './captions.tsx';
import { PlayIcon } from '../ui/icons.tsx';
import { LiveInterruptSlate, StageAlert } from '../realtime/alert-banner.tsx';
import { ReactionBursts } from './reactions.tsx';
import { useSharedView } from '../ui/shared-view.ts';
import { AdOverlay } from './ad-overlay.tsx';
import { WatchParty } from '../party/watch-party.tsx';

const HEARTBEAT_MS = 10_000;
/** Resuming within this many seconds of the end starts over instead. */
const RESUME_END_MARGIN_S = 5;

/**
 * Starts watching with one call (the playback payload), then shows the photo or plays the video.
 * The heavy part of the watch page (three.js, hls.js, the P2P engine), loaded by watch-shell.tsx.
 */
export function PlaybackStage({ contentId, startAt }: { contentId: string; startAt: number | null }) {
  const playback = useAsync(() => takePrefetched(contentId, 'session') ?? openSession(contentId), [contentId]);
  if (playback.status === 'error' && !playback.data) {
    return (
      <div className="stage stage-placeholder">
        <ErrorState error={playback.error} onRetry={playback.reload} title="Could not start playback" />
      </div>
    );
  }
  if (!playback.data) {
    return (
      <div className="stage stage-placeholder">
        <span className="stage-spinner spinner" role="status" aria-label="Starting playback" />
      </div>
    );
  }
  return playback.data.kind === 'photo' ? (
    <PhotoStage playback={playback.data} />
  ) : (
    <VideoStage playback={playback.data} startAt={startAt} onBroadcastEnded={playback.reload} />
  );
}

/** A photo counts as viewed once it has been on screen this long (the origin's view rule needs 5 s). */
const PHOTO_VIEW_MS = 6000;

function PhotoStage({ playback }: { playback: Session }) {
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  const photoStageRef = useRef<HTMLDivElement | null>(null);
  const onRenderer = useSharedView(`content:${playback.contentId}`, null, photoStageRef);
  const [failed, setFailed] = useState(false);
  // A photo has no playback position: one heartbeat marking it seen, after it has really been looked at.
  useEffect(() => {
    if (!image) return;
    const timer = setTimeout(() => {
      sendHeartbeat(playback.sessionId, 0, true).catch((error: unknown) => console.warn('could not report the view', error));
    }, PHOTO_VIEW_MS);
    return () => clearTimeout(timer);
  }, [image, playback.sessionId]);
  useEffect(() => {
    const img = new Image();
    img.crossOrigin = 'anonymous';
    img.decoding = 'async';
    img.onload = () => setImage(img);
    img.onerror = () => setFailed(true);
    img.src = playback.masterUrl;
    return () => {
      img.onload = null;
      img.onerror = null;
    };
  }, [playback.masterUrl]);
  return (
    <SphereStage source={image} projection={playback.projection} onRenderer={onRenderer} stageRef={photoStageRef}>
      {!image && !failed ? <span className="stage-spinner spinner" role="status" aria-label="Loading photo" /> : null}
      {failed ? <div className="stage-message">The photo could not be loaded.</div> : null}
    </SphereStage>
  );
}

function VideoStage({ playback, startAt, onBroadcastEnded }: { playback: Session; startAt: number | null; onBroadcastEnded: () => void }) {
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const [recordingFrom, setRecordingFrom] = useState<number | null>(null);
  const stageRef = useRef<HTMLDivElement | null>(null);
  const rendererRef = useRef<SphereRenderer | null>(null);
  const [needsClick, setNeedsClick] = useState(false);
  const source = useMemo<PlayerSource>(() => {
    const duration = playback.durationSeconds;
    let start = startAt ?? playback.resumePositionSeconds;
    if (duration !== null && start > duration - RESUME_END_MARGIN_S) start = 0;
    return {
      masterUrl: playback.masterUrl,
      trackerUrl: playback.trackerUrl,
      segmentHashesUrl: playback.segmentHashesUrl,
      // Same swarm whichever host name a viewer used to reach the origin.
      swarmId: playback.swarmId ?? new URL(playback.masterUrl, location.href).pathname,
      // A broadcast starts at the live edge (-1): hls.js takes 0 as the start of the DVR window.
      startPosition: playback.live ? -1 : start,
      live: playback.live,
      startDate: playback.live ? null : recordingFrom,
      iceServers: playback.iceServers,
      relayPolicy: playback.relayPolicy,
      sessionId: playback.sessionId,
    };
  }, [playback, startAt, recordingFrom]);

  const { player, stats, levels, level, error, ready } = usePlayer(video, source);
  const live = usePlayerLive(player);
  const captions = useCaptions(player, rendererRef, stageRef);
  const endedAt = useSwitchToRecording(player, live, onBroadcastEnded);
  useEffect(() => setRecordingFrom(endedAt), [endedAt]);

  // Autoplay: allowed after an in-app click; a direct page load may need one.
  useEffect(() => {
    if (!ready || !video) return;
    video.play().catch((e: unknown) => {
      if (e instanceof DOMException && e.name === 'NotAllowedError') setNeedsClick(true);
    });
  }, [ready, video]);

  useHeartbeat(video, playback.sessionId, player);

  // A shared link's direction (?yaw=…&pitch=…) and the moment the share button reads (no time for a
  // broadcast: its clock is the DVR window's, and a shared live link opens at the live edge).
  const sharedView = useSharedView(`content:${playback.contentId}`, playback.live ? null : video, stageRef);
  const onRenderer = useCallback(
    (r: SphereRenderer | null) => {
      rendererRef.current = r;
      sharedView(r);
    },
    [sharedView],
  );

  return (
    <SphereStage
      source={video}
      projection={playback.projection}
      onRenderer={onRenderer}
      stageRef={stageRef}
      controls={
        video && ready ? (
          <VideoControls
            video={video}
            levels={levels}
            level={level}
            onLevel={(l) => player?.setLevel(l)}
            onRecenter={() => rendererRef.current?.lookAt(0, 0, { durationMs: 400 })}
            stageRef={stageRef}
            extra={captions.tracks.length > 0 ? <CaptionsMenu captions={captions} /> : null}
          />
        ) : null
      }
    >
      <video ref={setVideo} className="stage-video" playsInline crossOrigin="anonymous" preload="auto" data-testid="video" />
      {!ready && !error ? <span className="stage-spinner spinner" role="status" aria-label="Loading video" /> : null}
      {error ? (
        <div className="stage-message" role="alert">
          {error.message}
        </div>
      ) : null}
      {needsClick ? (
        <button
          type="button"
          className="big-play"
          aria-label="Play"
          onClick={() => {
            setNeedsClick(false);
            void video?.play();
          }}
        >
          <PlayIcon />
        </button>
      ) : null}
      <CaptionOverlay captions={captions} />
      {player && live && video ? <LiveControls player={player} live={live} video={video} /> : null}
      <LiveInterruptSlate video={video} live={playback.live} />
      <ReactionBursts />
      {video && ready && !playback.live ? <WatchParty contentId={playback.contentId} video={video} rendererRef={rendererRef} /> : null}
      <AdOverlay player={player} rendererRef={rendererRef} />
      <StageAlert />
      <P2pOverlay stats={stats} p2pActive={player?.p2pActive ?? false} />
      {video ? <PlayerAnnouncer video={video} level={level} stats={stats} p2pActive={player?.p2pActive ?? false} /> : null}
    </SphereStage>
  );
}

/**
 * Reports the position every 10 s while playing, on pause, at the end and when the page goes away.
 * During an ad break the element plays the ad (its time and its `ended` are the ad's): the content's
 * last position stands.
 */
function useHeartbeat(video: HTMLVideoElement | null, sessionId: string | null, player: Player | null): void {
  useEffect(() => {
    if (!video || !sessionId) return;
    let lastSent = -1;
    // The last position the viewer really saw: when the page unmounts, the player detaches first and
    // the element's currentTime is already back at 0.
    // Nothing is reported before playback has really started, so opening and leaving at once does not
    // overwrite the saved position with 0.
    let position: number | null = null;
    const track = (): void => {
      if (player?.ads.inBreak) return;
      if (video.readyState > 0 && !video.seeking && video.played.length > 0) position = video.currentTime;
    };
    const send = (ended = false): void => {
      track();
      if (position === null || (!ended && Math.abs(position - lastSent) < 0.5)) return;
      lastSent = position;
      sendHeartbeat(sessionId, position, ended).catch((e: unknown) => console.info('heartbeat failed', e));
    };
    const timer = setInterval(() => {
      if (!video.paused) send();
    }, HEARTBEAT_MS);
    const onPause = (): void => send();
    const onEnded = (): void => {
      if (!player?.ads.inBreak) send(true);
    };
    const onHide = (): void => {
      if (document.visibilityState === 'hidden') send();
    };
    const onPageHide = (): void => send();
    video.addEventListener('timeupdate', track);
    video.addEventListener('pause', onPause);
    video.addEventListener('ended', onEnded);
    document.addEventListener('visibilitychange', onHide);
    window.addEventListener('pagehide', onPageHide);
    return () => {
      clearInterval(timer);
      video.removeEventListener('timeupdate', track);
      video.removeEventListener('pause', onPause);
      video.removeEventListener('ended', onEnded);
      document.removeEventListener('visibilitychange', onHide);
      window.removeEventListener('pagehide', onPageHide);
      // Leaving the watch page inside the app counts as leaving.
      send();
    };
  }, [video, sessionId, player]);
}
