import { useEffect, useRef, useState } from 'react';
import { attachLookControls, SphereRenderer, type View } from '@spherecast/shared/renderer';
import type { Projection } from '@spherecast/shared';
import { PROJECTIONS } from '@spherecast/shared';
import { formatDuration } from '@spherecast/shared/format';
import { ErrorNote, PROJECTION_LABELS } from '../ui/feedback.tsx';

/** A direction (and for video a moment) to show, e.g. a stitch-check finding. `key` re-triggers the same spot. */
export interface PreviewFocus {
  key: number;
  yaw: number;
  pitch: number;
  timeSeconds: number | null;
}

interface SpherePreviewProps {
  sourceUrl: string;
  isStill: boolean;
  projection: Projection;
  onProjectionChange: (projection: Projection) => void;
  focus: PreviewFocus | null;
}

/** The 360° preview: drag to look around, scroll to zoom, any projection, seam overlay, jump to a direction. */
export function SpherePreview({ sourceUrl, isStill, projection, onProjectionChange, focus }: SpherePreviewProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const rendererRef = useRef<SphereRenderer | null>(null);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const [view, setView] = useState<View | null>(null);
  const [seams, setSeams] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState<number | null>(null);

  // One renderer per source; projection and overlay changes are applied to it below.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    setLoadError(null);
    setReady(false);
    let renderer: SphereRenderer;
    try {
      renderer = new SphereRenderer({ canvas, projection });
    } catch (error) {
      setLoadError(
        `This computer could not start WebGL for the preview (${error instanceof Error ? error.message : String(error)}). Update the graphics driver or enable hardware acceleration.`,
      );
      return;
    }
    rendererRef.current = renderer;
    const detachControls = attachLookControls(renderer, canvas, { deviceOrientation: false });
    const onView = (next: View) => setView(next);
    renderer.on('view', onView);
    setView(renderer.getView());

    let media: HTMLVideoElement | HTMLImageElement;
    const onError = () =>
      setLoadError(
        isStill
          ? 'The browser cannot decode this photo. Convert it to JPEG or PNG and open it again.'
          : 'The browser cannot play this video (usually an unsupported codec such as ProRes). The transcode still works; the preview needs H.264, HEVC or VP9.',
      );
    if (isStill) {
      const image = new Image();
      image.crossOrigin = 'anonymous';
      image.decoding = 'async';
      image.onload = () => {
        renderer.setSource(image);
        setReady(true);
      };
      image.onerror = onError;
      image.src = sourceUrl;
      media = image;
      videoRef.current = null;
    } else {
      const video = document.createElement('video');
      video.crossOrigin = 'anonymous';
      video.muted = true;
      video.loop = true;
      video.playsInline = true;
      video.preload = 'auto';
      video.onloadeddata = () => {
        renderer.setSource(video);
        setReady(true);
        setDuration(Number.isFinite(video.duration) ? video.duration : null);
      };
      video.ontimeupdate = () => setTime(video.currentTime);
      video.onplay = () => setPlaying(true);
      video.onpause = () => setPlaying(false);
      video.onerror = onError;
      video.src = sourceUrl;
      media = video;
      videoRef.current = video;
    }
    renderer.start();
    return () => {
      renderer.off('view', onView);
      detachControls();
      renderer.destroy();
      rendererRef.current = null;
      media.onerror = null;
      if (media instanceof HTMLVideoElement) {
        media.pause();
        media.removeAttribute('src');
        media.load();
      } else {
        media.src = '';
      }
      videoRef.current = null;
      setPlaying(false);
      setTime(0);
    };
    // The projection is applied by its own effect; rebuilding the renderer for it would reload the video.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sourceUrl, isStill]);

  useEffect(() => {
    rendererRef.current?.setProjection(projection);
  }, [projection]);

  useEffect(() => {
    rendererRef.current?.setSeamOverlay(seams);
  }, [seams]);

  useEffect(() => {
    if (!focus) return;
    rendererRef.current?.lookAt(focus.yaw, focus.pitch, { durationMs: 600 });
    const video = videoRef.current;
    if (video && focus.timeSeconds !== null) {
      video.pause();
      video.currentTime = focus.timeSeconds;
    }
  }, [focus]);

  const togglePlay = () => {
    const video = videoRef.current;
    if (!video) return;
    if (video.paused) void video.play().catch(() => setLoadError('The browser refused to play the video. Click the preview and try again.'));
    else video.pause();
  };

  return (
    <section className="preview" aria-label="360° preview">
      <div className="preview-stage">
        <canvas
          ref={canvasRef}
          className="preview-canvas"
          data-testid="preview-canvas"
          tabIndex={0}
          aria-label="360° view: drag to look around, scroll to zoom"
        />
        {!ready && !loadError ? <div className="preview-overlay">Loading preview…</div> : null}
        {loadError ? (
          <div className="preview-overlay">
            <ErrorNote message={loadError} />
          </div>
        ) : null}
        {view ? (
          <div className="preview-hud small" data-testid="preview-hud">
            yaw {view.yaw.toFixed(0)}° · pitch {view.pitch.toFixed(0)}° · fov {view.fov.toFixed(0)}°
          </div>
        ) : null}
      </div>
      <div className="preview-toolbar">
        {!isStill ? (
          <>
            <button type="button" className="button small" onClick={togglePlay} disabled={!ready} data-testid="play-toggle">
              {playing ? 'Pause' : 'Play'}
            </button>
            <input
              type="range"
              className="scrubber"
              min={0}
              max={duration ?? 0}
              step={0.01}
              value={time}
              disabled={!ready || !duration}
              aria-label="Position"
              onChange={(event) => {
                const video = videoRef.current;
                if (video) video.currentTime = Number(event.target.value);
              }}
            />
            <span className="small muted time">
              {formatDuration(time)} / {formatDuration(duration)}
            </span>
          </>
        ) : (
          <span className="small muted">360° photo</span>
        )}
        <span className="spacer" />
        <label className="small">
          <select
            aria-label="Layout"
            title="How the frame is laid out"
            value={projection}
            onChange={(event) => onProjectionChange(event.target.value as Projection)}
            data-testid="projection-select"
          >
            {PROJECTIONS.map((value) => (
              <option key={value} value={value}>
                {PROJECTION_LABELS[value]}
              </option>
            ))}
          </select>
        </label>
        <label className="small checkbox">
          <input type="checkbox" checked={seams} onChange={(event) => setSeams(event.target.checked)} data-testid="seam-toggle" /> Seams
        </label>
        <button type="button" className="button small" title="Look straight ahead" onClick={() => rendererRef.current?.lookAt(0, 0, { durationMs: 400 })}>
          Reset
        </button>
      </div>
    </section>
  );
}
