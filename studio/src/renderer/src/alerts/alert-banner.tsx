import { useEffect, useState } from 'react';
import type { Alert } from '@spherecast/shared';
import { useStudio } from '../state/studio-context.tsx';

/** Emergency alerts of the origin the studio is signed in to, under the top bar (role=alert), until they end. */
export function StudioAlertBanner() {
  const { client } = useStudio();
  const [alerts, setAlerts] = useState<readonly Alert[]>([]);
  useEffect(() => {
    const subscription = client.origin.alerts.subscribe(undefined, {
      onData: (list) => setAlerts(list),
      // The banner is extra: a failed subscription leaves the studio as it is.
      onError: (error) => console.info('origin alerts unavailable', error),
    });
    return () => subscription.unsubscribe();
  }, [client]);
  if (alerts.length === 0) return null;
  return (
    <section className="studio-alerts" aria-label="Emergency alerts from the origin">
      {alerts.map((alert) => (
        <div key={alert.id} className={`note studio-alert studio-alert-${alert.severity}`} role="alert" data-testid="studio-alert">
          <strong>
            {alert.severity.toUpperCase()}: {alert.headline}
          </strong>
          <p>{alert.body}</p>
        </div>
      ))}
    </section>
  );
}
