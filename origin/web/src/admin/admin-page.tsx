// Operators' screens (admins only): emergency alerts and announcements, listed with their state,
// created from a form and ended early. The API checks the role again; this only spares others the form.
import { useState, type FormEvent } from 'react';
import { ALERT_SEVERITIES, type AlertSeverity } from '@spherecast/shared';
import { api, errorMessage } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { Link } from '../router.tsx';
import { EmptyState, ErrorState, Spinner } from '../ui/states.tsx';
import { useAsync } from '../ui/use-async.ts';
import './admin.css';

const HOUR_MS = 3600_000;
/** `<input type="datetime-local">` value for a date, in the viewer's time zone. */
const localInput = (date: Date) => new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const fromLocalInput = (value: string) => new Date(value).toISOString();

function stateOf(startsAt: Date, endsAt: Date, now = Date.now()): 'scheduled' | 'active' | 'ended' {
  if (endsAt.getTime() <= now) return 'ended';
  return startsAt.getTime() > now ? 'scheduled' : 'active';
}

export function AdminPage() {
  const { me } = useSession();
  if (me === undefined) return <Spinner />;
  if (me?.role !== 'admin') {
    return (
      <EmptyState title="Admins only">This page is for the platform&apos;s operators. {me ? null : <Link to="/signin?next=%2Fadmin">Sign in</Link>}</EmptyState>
    );
  }
  return (
    <div className="admin-page">
      <h1>Operations</h1>
      <AlertsSection />
      <AnnouncementsSection />
    </div>
  );
}

function AlertsSection() {
  const list = useAsync(() => api.alerts.list.query(), []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState({
    headline: '',
    body: '',
    severity: 'warning' as AlertSeverity,
    place: '',
    latitude: '',
    longitude: '',
    radiusKm: '',
    startsAt: '',
    expiresAt: localInput(new Date(Date.now() + HOUR_MS)),
  });
  const set = (field: keyof typeof form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const area = form.place
        ? {
            kind: 'circle' as const,
            placeName: form.place,
            latitude: Number(form.latitude),
            longitude: Number(form.longitude),
            radiusKm: Number(form.radiusKm),
          }
        : { kind: 'everywhere' as const };
      await api.alerts.create.mutate({
        headline: form.headline,
        body: form.body,
        severity: form.severity,
        area,
        ...(form.startsAt ? { startsAt: fromLocalInput(form.startsAt) } : {}),
        expiresAt: fromLocalInput(form.expiresAt),
      });
      setForm((f) => ({ ...f, headline: '', body: '' }));
      list.reload();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };
  const expire = async (id: string) => {
    setError(null);
    try {
      await api.alerts.expire.mutate({ id });
      list.reload();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  return (
    <section className="admin-section" aria-labelledby="admin-alerts">
      <h2 id="admin-alerts">Emergency alerts</h2>
      <p className="muted">
        Reach every open page within seconds. Info and warning can be dismissed by viewers; severe and extreme stay until they end; extreme interrupts live
        broadcasts. Automated sources post CAP 1.2 XML to <code>POST /api/alerts/cap</code>.
      </p>
      <form className="admin-form" onSubmit={(event) => void submit(event)} aria-label="Issue an alert">
        <label>
          <span>Headline</span>
          <input required maxLength={160} value={form.headline} onChange={set('headline')} />
        </label>
        <label>
          <span>Text</span>
          <textarea required maxLength={2000} rows={3} value={form.body} onChange={set('body')} />
        </label>
        <label>
          <span>Severity</span>
          <select value={form.severity} onChange={set('severity')}>
            {ALERT_SEVERITIES.map((severity) => (
              <option key={severity} value={severity}>
                {severity}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>Area (leave the place empty for everywhere)</legend>
          <label>
            <span>Place</span>
            <input value={form.place} onChange={set('place')} maxLength={120} />
          </label>
          <label>
            <span>Latitude</span>
            <input type="number" step="any" min={-90} max={90} required={Boolean(form.place)} value={form.latitude} onChange={set('latitude')} />
          </label>
          <label>
            <span>Longitude</span>
            <input type="number" step="any" min={-180} max={180} required={Boolean(form.place)} value={form.longitude} onChange={set('longitude')} />
          </label>
          <label>
            <span>Radius (km)</span>
            <input type="number" step="any" min={0.1} required={Boolean(form.place)} value={form.radiusKm} onChange={set('radiusKm')} />
          </label>
        </fieldset>
        <label>
          <span>Starts (empty: now)</span>
          <input type="datetime-local" value={form.startsAt} onChange={set('startsAt')} />
        </label>
        <label>
          <span>Expires</span>
          <input type="datetime-local" required value={form.expiresAt} onChange={set('expiresAt')} />
        </label>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            Issue alert
          </button>
        </div>
      </form>
      {list.status === 'error' && !list.data ? <ErrorState error={list.error} onRetry={list.reload} /> : null}
      {list.data ? (
        <table className="admin-table" data-testid="admin-alerts">
          <caption className="visually-hidden">Alerts, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Headline</th>
              <th scope="col">Severity</th>
              <th scope="col">Area</th>
              <th scope="col">From</th>
              <th scope="col">Until</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((alert) => {
              const state = stateOf(new Date(alert.startsAt), new Date(alert.expiresAt));
              return (
                <tr key={alert.id}>
                  <td>{alert.headline}</td>
                  <td>{alert.severity}</td>
                  <td>{alert.area.kind === 'circle' ? `${alert.area.placeName}, ${alert.area.radiusKm} km` : 'everywhere'}</td>
                  <td>{new Date(alert.startsAt).toLocaleString()}</td>
                  <td>{new Date(alert.expiresAt).toLocaleString()}</td>
                  <td>{state}</td>
                  <td>
                    {state !== 'ended' ? (
                      <button
                        type="button"
                        className="button button-ghost"
                        onClick={() => void expire(alert.id)}
                        aria-label={`End now: alert "${alert.headline}"`}
                      >
                        End now
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function AnnouncementsSection() {
  const list = useAsync(() => api.announcements.list.query(), []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState({ title: '', body: '', startsAt: '', endsAt: localInput(new Date(Date.now() + 24 * HOUR_MS)) });
  const set = (field: keyof typeof form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await api.announcements.create.mutate({
        title: form.title,
        body: form.body,
        startsAt: form.startsAt ? fromLocalInput(form.startsAt) : new Date().toISOString(),
        endsAt: fromLocalInput(form.endsAt),
      });
      setForm((f) => ({ ...f, title: '', body: '' }));
      list.reload();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };
  const end = async (id: string, startsAt: Date) => {
    setError(null);
    try {
      // Ending keeps the record: it stops now (one second after its start, if it has not started).
      const now = new Date();
      await api.announcements.update.mutate({ id, endsAt: (now > startsAt ? now : new Date(startsAt.getTime() + 1000)).toISOString() });
      list.reload();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  return (
    <section className="admin-section" aria-labelledby="admin-announcements">
      <h2 id="admin-announcements">Announcements</h2>
      <p className="muted">Notices on every page (maintenance, events); viewers can dismiss them.</p>
      <form className="admin-form" onSubmit={(event) => void submit(event)} aria-label="Post an announcement">
        <label>
          <span>Title</span>
          <input required maxLength={200} value={form.title} onChange={set('title')} />
        </label>
        <label>
          <span>Text</span>
          <textarea required maxLength={4000} rows={3} value={form.body} onChange={set('body')} />
        </label>
        <label>
          <span>Starts (empty: now)</span>
          <input type="datetime-local" value={form.startsAt} onChange={set('startsAt')} />
        </label>
        <label>
          <span>Ends</span>
          <input type="datetime-local" required value={form.endsAt} onChange={set('endsAt')} />
        </label>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            Post announcement
          </button>
        </div>
      </form>
      {list.status === 'error' && !list.data ? <ErrorState error={list.error} onRetry={list.reload} /> : null}
      {list.data ? (
        <table className="admin-table" data-testid="admin-announcements">
          <caption className="visually-hidden">Announcements</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">From</th>
              <th scope="col">Until</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((item) => {
              const state = stateOf(new Date(item.startsAt), new Date(item.endsAt));
              return (
                <tr key={item.id}>
                  <td>{item.title}</td>
                  <td>{new Date(item.startsAt).toLocaleString()}</td>
                  <td>{new Date(item.endsAt).toLocaleString()}</td>
                  <td>{state}</td>
                  <td>
                    {state !== 'ended' ? (
                      <button
                        type="button"
                        className="button button-ghost"
                        onClick={() => void end(item.id, new Date(item.startsAt))}
                        aria-label={`End now: announcement "${item.title}"`}
                      >
                        End now
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
