// The tour's stage: the 360 view with the tour player (scenes, hotspots, prefetch, guided clock), and
// the info card and narration over it (in a headset the renderer draws them on panels instead).
import { useCallback, useEffect, useRef, useState } from 'react';
import { parseSharedView, type Projection } from '@spherecast/shared';
import type { SphereRenderer } from '@spherecast/shared/renderer';
import { TourPlayer, type TourInfoCard, type TourNarration, type TourSceneEvent } from '@spherecast/shared/tours';
import type { RouterOutputs } from '../api/client.ts';
import { openSession, sendHeartbeat } from '../watch/session-api.ts';
import { SphereStage } from '../watch/sphere-stage.tsx';
import { WatchParty, type PartyHandle } from '../party/watch-party.tsx';
import { provideMoment } from '../ui/shared-view.ts';
import './tours.css';

type Tour = RouterOutputs['tours']['get'];

/** How often a scene being watched reports to its viewing session. */
const HEARTBEAT_MS = 10_000;

/** `?p2p=0` plays from the server only (as on the watch page); `?dwell=<ms>` changes the gaze dwell (tests, accessibility). */
function switches(): { p2p: boolean; dwellMs: number | undefined } {
  const params = new URLSearchParams(location.search);
  const dwell = Number(params.get('dwell'));
  return { p2p: params.get('p2p') !== '0', dwellMs: params.has('dwell') && Number.isFinite(dwell) && dwell > 0 ? dwell : undefined };
}

/** The share button's key for a tour's stage (see ui/shared-view.ts): its links carry the direction looked at. */
export const tourMomentKey = (tourId: string): string => `tour:${tourId}`;

export function TourStage({
  tour,
  startSceneId,
  onSceneChange,
}: {
  tour: Tour;
  startSceneId: string | null;
  /** The scene on screen (for the share link's `?scene=`). */
  onSceneChange?: (sceneId: string | null) => void;
}) {
  const [renderer, setRenderer] = useState<SphereRenderer | null>(null);
  const [overlay, setOverlay] = useState<HTMLDivElement | null>(null);
  const [mediaHost, setMediaHost] = useState<HTMLDivElement | null>(null);
  const [player, setPlayer] = useState<TourPlayer | null>(null);
  const [started, setStarted] = useState(false);
  const [scene, setScene] = useState<TourSceneEvent | null>(null);
  const [projection, setProjection] = useState<Projection>('equirectangular-mono');
  const [info, setInfo] = useState<TourInfoCard | null>(null);
  const [narration, setNarration] = useState<TourNarration | null>(null);
  const [paused, setPaused] = useState(false);
  const [ended, setEnded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const wrapperRef = useRef<HTMLDivElement | null>(null);

  const rendererRef = useRef<SphereRenderer | null>(null);
  const onRenderer = useCallback((r: SphereRenderer | null) => {
    rendererRef.current = r;
    setRenderer(r);
  }, []);
  // Watching together: the party follows the host's scene changes; its video is the current scene's
  // (a photo scene has none: a detached element stands in, so the party stays open across it).
  const hostHandle = useRef<PartyHandle | null>(null);
  const [stillVideo] = useState(() => document.createElement('video'));
  const [sceneVideo, setSceneVideo] = useState<HTMLVideoElement | null>(null);
  const startedRef = useRef(false);
  const sharedViewApplied = useRef(false);
  startedRef.current = started;

  // A shared link carries the direction looked at (the tour has no single timeline: no `t`).
  useEffect(
    () =>
      provideMoment(tourMomentKey(tour.id), () => {
        const view = rendererRef.current?.getView();
        return { t: null, yaw: view?.yaw ?? null, pitch: view?.pitch ?? null };
      }),
    [tour.id],
  );

  useEffect(() => {
    const id = scene?.scene.id ?? null;
    onSceneChange?.(id);
    const found = id && mediaHost ? mediaHost.querySelector<HTMLVideoElement>(`video[data-tour-scene-video="${CSS.escape(id)}"]`) : null;
    setSceneVideo(found);
    // The host moves the party with it; members' pages have no handle.
    if (id) hostHandle.current?.changeScene(id, 0);
    // A shared link's direction (`?yaw=…&pitch=…`) applies once, to the first scene shown (`via` start or link).
    if (scene && !sharedViewApplied.current && renderer) {
      sharedViewApplied.current = true;
      const shared = parseSharedView(location.search);
      if (shared.yaw !== null || shared.pitch !== null) {
        renderer.setView({ ...(shared.yaw !== null ? { yaw: shared.yaw } : {}), ...(shared.pitch !== null ? { pitch: shared.pitch } : {}) });
      }
    }
  }, [scene, mediaHost, onSceneChange, renderer]);

  // Views: each scene visit reports how long the scene was seen to its content's viewing session (the
  // origin counts a view after real playback, as on the watch page), when the scene is left, every
  // HEARTBEAT_MS while it shows, and when the page is hidden or left.
  useEffect(() => {
    if (!scene?.sessionId) return;
    const sessionId = scene.sessionId;
    const enteredAt = performance.now();
    const report = (): void => {
      const seen = (performance.now() - enteredAt) / 1000;
      const duration = scene.durationSeconds;
      const ended = duration !== null && seen >= duration;
      sendHeartbeat(sessionId, duration !== null ? Math.min(seen, duration) : seen, ended).catch((e: unknown) => console.info('heartbeat failed', e));
    };
    const timer = setInterval(report, HEARTBEAT_MS);
    const onHide = (): void => {
      if (document.visibilityState === 'hidden') report();
    };
    document.addEventListener('visibilitychange', onHide);
    window.addEventListener('pagehide', report);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onHide);
      window.removeEventListener('pagehide', report);
      report();
    };
  }, [scene]);

  // The view as data attributes (tests, assistive tooling), written straight to the element: no re-render per frame.
  useEffect(() => {
    if (!renderer) return;
    const onView = ({ yaw, pitch }: { yaw: number; pitch: number }): void => {
      const wrapper = wrapperRef.current;
      if (!wrapper) return;
      wrapper.dataset.viewYaw = yaw.toFixed(1);
      wrapper.dataset.viewPitch = pitch.toFixed(1);
    };
    onView(renderer.getView());
    renderer.on('view', onView);
    return () => renderer.off('view', onView);
  }, [renderer]);

  useEffect(() => {
    if (!renderer || !overlay || !mediaHost) return;
    const { p2p, dwellMs } = switches();
    const created = new TourPlayer({
      tour,
      renderer,
      overlayContainer: overlay,
      mediaContainer: mediaHost,
      playback: (contentId) => openSession(contentId),
      p2p,
      ...(dwellMs !== undefined ? { dwellMs } : {}),
    });
    created.on('scene', (event) => {
      setScene(event);
      setEnded(false);
      setError(null);
    });
    created.on('info', setInfo);
    created.on('narration', setNarration);
    created.on('ended', () => setEnded(true));
    created.on('error', ({ message }) => setError(message));
    created.on('guide', ({ hotspotId }) => {
      if (wrapperRef.current) wrapperRef.current.dataset.guideHotspot = hotspotId;
    });
    created.on('prefetch', ({ ready }) => {
      if (wrapperRef.current) wrapperRef.current.dataset.prefetched = ready.join(' ');
    });
    setPlayer(created);
    return () => {
      created.destroy();
      setPlayer(null);
      setStarted(false);
    };
  }, [renderer, overlay, mediaHost, tour]);

  // In a headset the info card and the narration are drawn on panels in the scene: the stage names what
  // the renderer draws there (data-xr-info-card: the card's hotspot id; data-xr-narration: the caption
  // text), read from the renderer while a session presents, for tests and assistive tooling.
  useEffect(() => {
    if (!renderer || !player) return;
    let timer: ReturnType<typeof setInterval> | null = null;
    const read = (): void => {
      const wrapper = wrapperRef.current;
      if (!wrapper) return;
      const card = player.infoPanel.getCard();
      const caption = renderer.getCaption();
      if (card?.visible) wrapper.dataset.xrInfoCard = card.id;
      else delete wrapper.dataset.xrInfoCard;
      if (caption?.visible) wrapper.dataset.xrNarration = caption.text;
      else delete wrapper.dataset.xrNarration;
    };
    const onXr = ({ presenting }: { presenting: boolean }): void => {
      if (timer) clearInterval(timer);
      timer = presenting ? setInterval(read, 250) : null;
      read();
    };
    renderer.on('xr', onXr);
    return () => {
      renderer.off('xr', onXr);
      if (timer) clearInterval(timer);
    };
  }, [renderer, player]);

  // The renderer's projection follows the scene's (the tour player sets it; the stage keeps it on re-render).
  useEffect(() => {
    if (!renderer || !scene) return;
    setProjection(renderer.getProjection());
  }, [renderer, scene]);

  const start = (): void => {
    if (!player || started) return;
    setStarted(true);
    void player.start(startSceneId ?? undefined);
  };

  const togglePause = (): void => {
    if (!player) return;
    if (player.paused) player.resume();
    else player.pause();
    setPaused(player.paused);
  };

  const current = scene?.scene ?? null;
  const partyContentId = tour.scenes[0]?.contentId ?? null;
  return (
    <div
      ref={wrapperRef}
      className="tour-stage"
      data-testid="tour-stage"
      data-mode={tour.mode}
      data-scene-id={current?.id}
      data-scene-index={scene?.index}
      data-via={scene?.via}
      data-through={scene?.throughHotspotId ?? undefined}
      data-heading-yaw={scene ? scene.heading.yaw.toFixed(1) : undefined}
      data-heading-pitch={scene ? scene.heading.pitch.toFixed(1) : undefined}
      data-scene-prefetched={scene ? String(scene.prefetched) : undefined}
      data-switch-ms={scene?.switchMs}
      data-ended={ended ? 'true' : undefined}
    >
      <SphereStage source={null} projection={projection} onRenderer={onRenderer}>
        <div ref={setMediaHost} className="tour-media" aria-hidden="true" />
        <div ref={setOverlay} className="tour-overlay" />
        {!started ? (
          <button type="button" className="button tour-start" onClick={start} disabled={!player}>
            {tour.mode === 'guided' ? 'Start the guided tour' : 'Start the tour'}
          </button>
        ) : null}
        {started && !scene && !error ? <span className="stage-spinner spinner" role="status" aria-label="Loading the scene" /> : null}
        {current ? (
          <div className="tour-scene-title" aria-live="polite">
            {current.title}
            {tour.mode === 'guided' ? (
              <button type="button" className="button tour-pause" onClick={togglePause} aria-pressed={paused}>
                {paused ? 'Resume' : 'Pause'}
              </button>
            ) : null}
          </div>
        ) : null}
        {current && current.content === null ? <div className="stage-message">This scene’s video or photo is not available.</div> : null}
        {narration?.text ? (
          <div className="tour-narration" data-testid="tour-narration" aria-live="polite" data-from={narration.from}>
            {narration.text}
          </div>
        ) : null}
        {info ? (
          <div className="tour-info-card" role="dialog" aria-label={info.title} data-testid="tour-info-card" data-hotspot-id={info.hotspotId}>
            <h2>{info.title}</h2>
            {info.imageUrl ? <img src={info.imageUrl} alt="" /> : null}
            {info.text ? <p>{info.text}</p> : null}
            <button type="button" className="button" onClick={() => player?.closeInfo()}>
              Close
            </button>
          </div>
        ) : null}
        {ended ? (
          <div className="stage-message" role="status">
            The tour is over.{' '}
            <button type="button" className="button" onClick={() => void player?.goTo(tour.scenes[0]?.id ?? '')}>
              Start again
            </button>
          </div>
        ) : null}
        {error ? (
          <div className="stage-message" role="alert">
            {error}
          </div>
        ) : null}
        {player && partyContentId ? (
          <WatchParty
            contentId={partyContentId}
            video={sceneVideo ?? stillVideo}
            rendererRef={rendererRef}
            acceptsContent={(contentId) => tour.scenes.some((candidate) => candidate.contentId === contentId)}
            onHostHandle={(handle) => {
              hostHandle.current = handle;
              if (handle && current) handle.changeScene(current.id, 0);
            }}
            onScene={(sceneId) => {
              if (!sceneId || !tour.scenes.some((candidate) => candidate.id === sceneId)) return;
              if (!startedRef.current) {
                setStarted(true);
                void player.start(sceneId);
              } else if (player.scene?.id !== sceneId) {
                void player.goTo(sceneId);
              }
            }}
          />
        ) : null}
      </SphereStage>
    </div>
  );
}
