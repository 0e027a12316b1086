import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import type { SphereRenderer, SphereSource } from '@spherecast/shared/renderer';

// three.js is a chunk of its own, evaluated in its own task after the player's: no single long task
// holds the page while both start.
const loadRenderer = () => import('@spherecast/shared/renderer');
import type { Projection } from '@spherecast/shared';
import { StageAnnouncement, useAnnouncements } from '../announcements/announcements.tsx';
import { useActiveAlerts } from '../realtime/realtime.tsx';

type Props = {
  /** The element to draw: the player's <video>, or a loaded <img> for photos. */
  source: SphereSource | null;
  projection: Projection;
  /** Receives the renderer once created (for recentre, lookAt). */
  onRenderer?: (renderer: SphereRenderer | null) => void;
  /** Overlays drawn over the picture (stats, spinners, messages). */
  children?: ReactNode;
  /** Controls along the bottom edge; announcements stack above them, never over them. */
  controls?: ReactNode;
  stageRef?: RefObject<HTMLDivElement | null>;
};

/**
 * The 360° view: a canvas with a SphereRenderer, drag/touch/wheel/keyboard look controls,
 * device orientation on phones and "Enter VR" when the browser offers WebXR.
 */
export function SphereStage({ source, projection, onRenderer, children, controls, stageRef }: Props) {
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const [renderer, setRenderer] = useState<SphereRenderer | null>(null);
  const [vr, setVr] = useState<{ supported: boolean; presenting: boolean; error: string | null }>({ supported: false, presenting: false, error: null });
  const [webglError, setWebglError] = useState<string | null>(null);
  const rendererModule = useRef<Awaited<ReturnType<typeof loadRenderer>> | null>(null);
  const onRendererRef = useRef(onRenderer);
  onRendererRef.current = onRenderer;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let cancelled = false;
    let cleanup = (): void => undefined;
    loadRenderer().then(
      (mod) => {
        rendererModule.current = mod;
        if (!cancelled) cleanup = startRenderer(mod, canvas);
      },
      (error: unknown) => setWebglError(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      cancelled = true;
      cleanup();
    };
    // The renderer lives as long as the stage; projection and source changes are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  function startRenderer({ SphereRenderer, attachLookControls }: Awaited<ReturnType<typeof loadRenderer>>, canvas: HTMLCanvasElement): () => void {
    let created: SphereRenderer;
    try {
      created = new SphereRenderer({ canvas, projection, xr: true });
    } catch (error) {
      setWebglError(error instanceof Error ? error.message : String(error));
      return () => undefined;
    }
    const detach = attachLookControls(created, canvas);
    const onXr = ({ presenting }: { presenting: boolean }): void => setVr((v) => ({ ...v, presenting }));
    const onLost = ({ message }: { message: string }): void => setWebglError(message);
    created.on('xr', onXr);
    created.on('contextlost', onLost);
    created.start();
    void created.xr.isSupported().then((supported) => setVr((v) => ({ ...v, supported })));
    setRenderer(created);
    onRendererRef.current?.(created);
    return () => {
      created.off('xr', onXr);
      created.off('contextlost', onLost);
      detach();
      created.destroy();
      onRendererRef.current?.(null);
      setRenderer(null);
    };
  }

  useEffect(() => {
    renderer?.setProjection(projection);
  }, [renderer, projection]);

  useEffect(() => {
    renderer?.setSource(source);
  }, [renderer, source]);

  // In a headset the page is out of sight: the newest announcement goes on the renderer's XR panel,
  // and dismissing it there (select) dismisses it here.
  const { items: announcements, dismiss } = useAnnouncements();
  const newest = announcements[0];
  useEffect(() => {
    if (!renderer) return;
    renderer.setAnnouncement(newest ? { id: newest.id, title: newest.title, body: newest.body } : null);
  }, [renderer, newest]);
  useEffect(() => {
    if (!renderer) return;
    const onDismiss = ({ id }: { id: string }): void => dismiss(id);
    renderer.on('announcementdismiss', onDismiss);
    return () => renderer.off('announcementdismiss', onDismiss);
  }, [renderer, dismiss]);

  // The most severe alert goes on the renderer's gaze-following XR panel; the stage names the one the
  // scene draws (data-xr-alert), read from the renderer, for tests and assistive tooling.
  const alert = useActiveAlerts()[0];
  const [xrAlert, setXrAlert] = useState('');
  useEffect(() => {
    if (!renderer) return;
    renderer.setAlert(alert ? { id: alert.id, severity: alert.severity, headline: alert.headline, body: alert.body } : null);
    const read = (): void => {
      const shown = renderer.getAlert();
      setXrAlert(shown?.visible ? shown.id : '');
    };
    read();
    if (!alert) return;
    const timer = setInterval(read, 500);
    return () => clearInterval(timer);
  }, [renderer, alert]);

  const enterVr = (): void => {
    if (!renderer) return;
    if (renderer.xr.presenting) {
      void renderer.xr.exit();
      return;
    }
    renderer.xr.enter().catch((error: unknown) => setVr((v) => ({ ...v, error: error instanceof Error ? error.message : String(error) })));
  };

  return (
    <div className="stage" ref={stageRef} data-xr-alert={xrAlert || undefined}>
      <canvas
        ref={canvasRef}
        className="stage-canvas"
        tabIndex={0}
        aria-label="360° view: drag, use the arrow keys or move your phone to look around; scroll or pinch to zoom"
        // Synchronously inside the gesture (iOS asks for motion access only from one); the module is
        // loaded by the time anyone can touch the canvas.
        onPointerDown={() => void rendererModule.current?.requestDeviceOrientationPermission()}
      />
      {webglError ? (
        <div className="stage-message" role="alert">
          This browser cannot show 3D graphics (WebGL): {webglError}
        </div>
      ) : null}
      {vr.supported ? (
        <button type="button" className="button vr-button" onClick={enterVr} title={vr.error ?? 'View in a VR headset'}>
          {vr.presenting ? 'Exit VR' : 'Enter VR'}
        </button>
      ) : null}
      {children}
      <div className="stage-bottom">
        <StageAnnouncement />
        {controls}
      </div>
    </div>
  );
}
