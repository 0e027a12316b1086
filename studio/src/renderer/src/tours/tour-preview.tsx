import { useEffect, useRef, useState } from 'react';
import type { PointerEvent as ReactPointerEvent } from 'react';
import { attachLookControls, SphereRenderer, type View } from '@spherecast/shared/renderer';
import type { Hotspot, Projection } from '@spherecast/shared';
import { ErrorNote } from '../ui/feedback.tsx';
import { directionAt, screenPositionOf, type Direction } from './sphere-direction.ts';

/** A pointer that moved less than this between down and up clicked (more: it dragged the view). */
const CLICK_SLOP_PX = 5;

interface TourPreviewProps {
  /** The scene's poster as a data: URL, or null to show a direction grid. */
  posterUrl: string | null;
  projection: Projection;
  hotspots: Hotspot[];
  /** A short description of where each hotspot leads, by id. */
  describe: (hotspot: Hotspot) => string;
  selectedHotspotId: string | null;
  /** Hotspots the origin (or the editor) found a problem with. */
  flaggedHotspotIds: ReadonlySet<string>;
  /** Where the view turns when the scene opens or `focus` changes. */
  focus: (Direction & { key: number }) | null;
  onPlace: (direction: Direction) => void;
  onSelect: (hotspotId: string) => void;
  onView?: (view: View) => void;
}

/** A lat/long grid with the yaw of each meridian written on the equator, for scenes without a poster. */
function directionGrid(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = 2048;
  canvas.height = 1024;
  const context = canvas.getContext('2d');
  if (!context) return canvas;
  context.fillStyle = '#1c2430';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.strokeStyle = '#3d4d63';
  context.lineWidth = 2;
  context.fillStyle = '#8aa0bd';
  context.font = '28px sans-serif';
  context.textAlign = 'center';
  for (let yaw = -180; yaw < 180; yaw += 30) {
    const x = ((yaw + 180) / 360) * canvas.width;
    context.beginPath();
    context.moveTo(x, 0);
    context.lineTo(x, canvas.height);
    context.stroke();
    context.fillText(`${yaw}°`, x + 40, canvas.height / 2 - 12);
  }
  for (let pitch = -60; pitch <= 60; pitch += 30) {
    const y = ((90 - pitch) / 180) * canvas.height;
    context.beginPath();
    context.moveTo(0, y);
    context.lineTo(canvas.width, y);
    context.stroke();
  }
  return canvas;
}

/** The scene in 360: drag to look around, click to place a hotspot; markers show the scene's hotspots. */
export function TourPreview(props: TourPreviewProps) {
  const { posterUrl, projection, hotspots, describe, selectedHotspotId, flaggedHotspotIds, focus, onPlace, onSelect, onView } = props;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const rendererRef = useRef<SphereRenderer | null>(null);
  const downRef = useRef<{ x: number; y: number } | null>(null);
  const [view, setView] = useState<View | null>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [error, setError] = useState<string | null>(null);
  const onViewRef = useRef(onView);
  onViewRef.current = onView;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let renderer: SphereRenderer;
    try {
      renderer = new SphereRenderer({ canvas, projection });
    } catch (cause) {
      setError(`This computer could not start WebGL for the preview (${cause instanceof Error ? cause.message : String(cause)}).`);
      return;
    }
    rendererRef.current = renderer;
    const detach = attachLookControls(renderer, canvas, { deviceOrientation: false });
    const handleView = (next: View): void => {
      setView(next);
      onViewRef.current?.(next);
    };
    renderer.on('view', handleView);
    setView(renderer.getView());
    const observer = new ResizeObserver(() => setSize({ width: canvas.clientWidth, height: canvas.clientHeight }));
    observer.observe(canvas);
    setSize({ width: canvas.clientWidth, height: canvas.clientHeight });
    renderer.start();
    return () => {
      observer.disconnect();
      renderer.off('view', handleView);
      detach();
      renderer.destroy();
      rendererRef.current = null;
    };
    // The projection and the picture are applied below without a new WebGL context.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    rendererRef.current?.setProjection(projection);
  }, [projection]);

  useEffect(() => {
    const renderer = rendererRef.current;
    if (!renderer) return;
    if (!posterUrl) {
      renderer.setSource(directionGrid());
      return;
    }
    const image = new Image();
    let current = true;
    image.onload = () => {
      if (current) renderer.setSource(image);
    };
    image.onerror = () => {
      if (current) renderer.setSource(directionGrid());
    };
    image.src = posterUrl;
    return () => {
      current = false;
      image.onload = null;
      image.onerror = null;
    };
  }, [posterUrl]);

  useEffect(() => {
    if (focus) rendererRef.current?.lookAt(focus.yaw, focus.pitch, { durationMs: 0 });
  }, [focus]);

  const onPointerDown = (event: ReactPointerEvent<HTMLCanvasElement>): void => {
    downRef.current = { x: event.clientX, y: event.clientY };
  };
  const onPointerUp = (event: ReactPointerEvent<HTMLCanvasElement>): void => {
    const down = downRef.current;
    downRef.current = null;
    const renderer = rendererRef.current;
    const canvas = canvasRef.current;
    if (!down || !renderer || !canvas || event.button !== 0) return;
    if (Math.hypot(event.clientX - down.x, event.clientY - down.y) > CLICK_SLOP_PX) return;
    const box = canvas.getBoundingClientRect();
    onPlace(directionAt(renderer.getView(), box.width, box.height, event.clientX - box.left, event.clientY - box.top));
  };

  return (
    <div className="tour-preview">
      <canvas
        ref={canvasRef}
        className="tour-preview-canvas"
        data-testid="tour-preview-canvas"
        tabIndex={0}
        aria-label="Scene in 360°: drag to look around, click to place a hotspot"
        onPointerDown={onPointerDown}
        onPointerUp={onPointerUp}
      />
      {error ? (
        <div className="preview-overlay">
          <ErrorNote message={error} />
        </div>
      ) : null}
      {view && size.width > 0
        ? hotspots.map((hotspot) => {
            const at = screenPositionOf(view, size.width, size.height, hotspot);
            if (!at) return null;
            const flagged = flaggedHotspotIds.has(hotspot.id);
            return (
              <button
                key={hotspot.id}
                type="button"
                className={`tour-marker${hotspot.id === selectedHotspotId ? ' selected' : ''}${flagged ? ' flagged' : ''}`}
                style={{ left: at.x, top: at.y }}
                data-testid="hotspot-marker"
                data-hotspot-id={hotspot.id}
                aria-pressed={hotspot.id === selectedHotspotId}
                title={describe(hotspot)}
                onClick={() => onSelect(hotspot.id)}
              >
                <span aria-hidden="true">{hotspot.action.kind === 'scene' ? '➜' : hotspot.action.kind === 'info' ? 'i' : '♪'}</span>
                <span className="tour-marker-label">{hotspot.label || hotspot.id}</span>
              </button>
            );
          })
        : null}
      {view ? (
        <div className="preview-hud small" data-testid="tour-preview-hud">
          yaw {view.yaw.toFixed(0)}° · pitch {view.pitch.toFixed(0)}° · fov {view.fov.toFixed(0)}°
        </div>
      ) : null}
    </div>
  );
}
