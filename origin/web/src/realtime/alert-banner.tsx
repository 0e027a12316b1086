// Emergency alerts from the operators: on every page under the top bar, and over the picture on the
// watch page (a fullscreen stage hides the page). Announced with role=alert; info and warning can be
// dismissed, severe and extreme stay until they expire.
import { DISMISSIBLE_SEVERITIES, type Alert } from '@spherecast/shared';
import { useEffect } from 'react';
import { useActiveAlerts, useRealtime } from './realtime.tsx';
import './realtime.css';

function useVisibleAlerts(): { alerts: readonly Alert[]; dismiss: (id: string) => void } {
  const { alerts, dismissAlert } = useRealtime();
  return { alerts, dismiss: dismissAlert };
}

function AlertItem({ alert, onDismiss, announce }: { alert: Alert; onDismiss: () => void; announce: boolean }) {
  const area = alert.area.kind === 'circle' ? ` · ${alert.area.placeName} and ${alert.area.radiusKm} km around` : '';
  return (
    <div
      className={`emergency-alert emergency-${alert.severity}`}
      role={announce ? 'alert' : undefined}
      data-testid={announce ? 'emergency-alert' : 'stage-emergency-alert'}
      data-severity={alert.severity}
    >
      <div className="emergency-text">
        <strong>
          <span className="emergency-severity">{alert.severity}</span> {alert.headline}
        </strong>
        <p>{alert.body}</p>
        <small>
          Until {new Date(alert.expiresAt).toLocaleString()}
          {area}
        </small>
      </div>
      {DISMISSIBLE_SEVERITIES.includes(alert.severity) ? (
        <button type="button" className="icon-button emergency-dismiss" aria-label={`Dismiss alert "${alert.headline}"`} onClick={onDismiss}>
          ×
        </button>
      ) : null}
    </div>
  );
}

/** Under the top bar on every page. */
export function AlertBanner() {
  const { alerts, dismiss } = useVisibleAlerts();
  if (alerts.length === 0) return null;
  return (
    <section className="emergency-alerts" aria-label="Emergency alerts">
      {alerts.map((a) => (
        <AlertItem key={a.id} alert={a} announce onDismiss={() => dismiss(a.id)} />
      ))}
    </section>
  );
}

/** The most severe alert over the picture, so a fullscreen viewer sees it too. */
export function StageAlert() {
  const { alerts, dismiss } = useVisibleAlerts();
  const first = alerts[0];
  if (!first) return null;
  return (
    <div className="stage-emergency" data-testid="stage-alert">
      {/* The page banner announces it (role=alert); this copy is for the eyes of a fullscreen viewer. */}
      <AlertItem alert={first} announce={false} onDismiss={() => dismiss(first.id)} />
    </div>
  );
}

/**
 * An `extreme` alert interrupts a live broadcast: a full-frame slate stands in place of the picture
 * (and the sound is muted) until the operator ends the alert or it expires; then the broadcast is
 * back, at the live edge, with the sound as the viewer had it. Recordings are not interrupted.
 */
export function LiveInterruptSlate({ video, live }: { video: HTMLVideoElement | null; live: boolean }) {
  const interrupting = useActiveAlerts().find((a) => a.severity === 'extreme');
  const active = live && interrupting !== undefined;
  useEffect(() => {
    if (!active || !video) return;
    const wasMuted = video.muted;
    video.muted = true;
    return () => {
      video.muted = wasMuted;
      // Back to live: the picture resumes where the broadcast is now, not where the slate came up.
      if (video.paused) void video.play().catch(() => undefined);
    };
  }, [active, video]);
  if (!active) return null;
  return (
    <div className="live-alert-slate" data-testid="live-alert-slate" data-alert-id={interrupting.id}>
      {/* The page banner announces it (role=alert); the slate replaces the picture. */}
      <p className="live-alert-slate-kicker">Live broadcast interrupted · emergency alert</p>
      <h2>{interrupting.headline}</h2>
      <p className="live-alert-slate-body">{interrupting.body}</p>
      <p className="live-alert-slate-until">The broadcast returns when the alert ends (at the latest {new Date(interrupting.expiresAt).toLocaleString()}).</p>
    </div>
  );
}
