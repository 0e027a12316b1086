// Operators' screens (admins only): emergency alerts and announcements, listed with their state,
// created from a form and ended early. The API checks the role again; this only spares others the form.
import { useState, type FormEvent, type ReactNode } from 'react';
import { ALERT_SEVERITIES, type AlertSeverity } from '@spherecast/shared';
import { api, errorMessage } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { Link } from '../router.tsx';
import { Field, FormError, SelectField } from '../ui/fields.tsx';
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

/** Busy and error state of a form or button whose action calls the API. */
function useAction() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setError(null);
    setBusy(true);
    try {
      await action();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

/** A form's values, and a setter per field for its inputs. */
function useFormState<T extends Record<string, unknown>>(initial: T) {
  const [form, setForm] = useState(initial);
  const setValue = (field: keyof T) => (value: string) => setForm((f) => ({ ...f, [field]: value }));
  return [form, setForm, setValue] as const;
}

/** A form of the operators' screens: its fields, the error, and one submit button. */
function AdminForm(props: { label: string; submitLabel: string; busy: boolean; error: string | null; onSubmit: () => void; children: ReactNode }) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <form className="admin-form" onSubmit={submit} aria-label={props.label}>
      {props.children}
      <FormError error={props.error} />
      <div className="form-actions">
        <button type="submit" className="button" disabled={props.busy}>
          {props.submitLabel}
        </button>
      </div>
    </form>
  );
}

/** A row of a scheduled things table: what it is, and from when until when it shows. */
interface Scheduled {
  id: string;
  startsAt: string | Date;
}

/**
 * The table of scheduled items (alerts, announcements): the given columns, then From, Until, the
 * state, and End now for what has not ended.
 */
function ScheduleTable<T extends Scheduled>(props: {
  testId: string;
  caption: string;
  items: readonly T[];
  columns: readonly { header: string; cell: (item: T) => ReactNode }[];
  until: (item: T) => string | Date;
  /** Names the item in the End now button's accessible name (`alert "…"`). */
  name: (item: T) => string;
  onEnd: (item: T) => void;
}) {
  return (
    <table className="admin-table" data-testid={props.testId}>
      <caption className="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((column) => (
            <th key={column.header} scope="col">
              {column.header}
            </th>
          ))}
          <th scope="col">From</th>
          <th scope="col">Until</th>
          <th scope="col">State</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((item) => {
          const startsAt = new Date(item.startsAt);
          const until = new Date(props.until(item));
          const state = stateOf(startsAt, until);
          return (
            <tr key={item.id}>
              {props.columns.map((column) => (
                <td key={column.header}>{column.cell(item)}</td>
              ))}
              <td>{startsAt.toLocaleString()}</td>
              <td>{until.toLocaleString()}</td>
              <td>{state}</td>
              <td>
                {state !== 'ended' ? (
                  <button type="button" className="button button-ghost" onClick={() => props.onEnd(item)} aria-label={`End now: ${props.name(item)}`}>
                    End now
                  </button>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** A section of the operators' screens: heading, what it is for, then its form and table. */
function AdminSection({ id, title, intro, children }: { id: string; title: string; intro: ReactNode; children: ReactNode }) {
  return (
    <section className="admin-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <p className="muted">{intro}</p>
      {children}
    </section>
  );
}

/** The title (or headline) and text of what operators post. */
function MessageFields(props: {
  titleLabel: string;
  titleMax: number;
  bodyMax: number;
  title: string;
  body: string;
  onTitle: (value: string) => void;
  onBody: (value: string) => void;
}) {
  return (
    <>
      <Field label={props.titleLabel}>
        <input required maxLength={props.titleMax} value={props.title} onChange={(e) => props.onTitle(e.target.value)} />
      </Field>
      <Field label="Text">
        <textarea required maxLength={props.bodyMax} rows={3} value={props.body} onChange={(e) => props.onBody(e.target.value)} />
      </Field>
    </>
  );
}

/** Start (empty: now) and end of what a form schedules, as `datetime-local` inputs. */
function ScheduleFields(props: { startsAt: string; endsAt: string; endLabel: string; onStartsAt: (value: string) => void; onEndsAt: (value: string) => void }) {
  return (
    <>
      <Field label="Starts (empty: now)">
        <input type="datetime-local" value={props.startsAt} onChange={(e) => props.onStartsAt(e.target.value)} />
      </Field>
      <Field label={props.endLabel}>
        <input type="datetime-local" required value={props.endsAt} onChange={(e) => props.onEndsAt(e.target.value)} />
      </Field>
    </>
  );
}

type AlertForm = { severity: AlertSeverity } & Record<'headline' | 'body' | 'place' | 'latitude' | 'longitude' | 'radiusKm' | 'startsAt' | 'expiresAt', string>;

function AlertsSection() {
  const list = useAsync(() => api.alerts.list.query(), []);
  const { error, busy, run } = useAction();
  const [form, setForm, setValue] = useFormState<AlertForm>({
    headline: '',
    body: '',
    severity: 'warning',
    place: '',
    latitude: '',
    longitude: '',
    radiusKm: '',
    startsAt: '',
    expiresAt: localInput(new Date(Date.now() + HOUR_MS)),
  });
  const set = (field: keyof typeof form) => (event: { target: { value: string } }) => setValue(field)(event.target.value);

  const submit = () =>
    void run(async () => {
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
    });
  const expire = (id: string) =>
    void run(async () => {
      await api.alerts.expire.mutate({ id });
      list.reload();
    });

  return (
    <AdminSection
      id="admin-alerts"
      title="Emergency alerts"
      intro={
        <>
          Reach every open page within seconds. Info and warning can be dismissed by viewers; severe and extreme stay until they end; extreme interrupts live
          broadcasts. Automated sources post CAP 1.2 XML to <code>POST /api/alerts/cap</code>.
        </>
      }
    >
      <AdminForm label="Issue an alert" submitLabel="Issue alert" busy={busy} error={error} onSubmit={submit}>
        <MessageFields
          titleLabel="Headline"
          titleMax={160}
          bodyMax={2000}
          title={form.headline}
          body={form.body}
          onTitle={setValue('headline')}
          onBody={setValue('body')}
        />
        <SelectField label="Severity" value={form.severity} options={ALERT_SEVERITIES} onChange={(severity) => setForm((f) => ({ ...f, severity }))} />
        <fieldset>
          <legend>Area (leave the place empty for everywhere)</legend>
          <Field label="Place">
            <input value={form.place} onChange={set('place')} maxLength={120} />
          </Field>
          <Field label="Latitude">
            <input type="number" step="any" min={-90} max={90} required={Boolean(form.place)} value={form.latitude} onChange={set('latitude')} />
          </Field>
          <Field label="Longitude">
            <input type="number" step="any" min={-180} max={180} required={Boolean(form.place)} value={form.longitude} onChange={set('longitude')} />
          </Field>
          <Field label="Radius (km)">
            <input type="number" step="any" min={0.1} required={Boolean(form.place)} value={form.radiusKm} onChange={set('radiusKm')} />
          </Field>
        </fieldset>
        <ScheduleFields
          startsAt={form.startsAt}
          endsAt={form.expiresAt}
          endLabel="Expires"
          onStartsAt={setValue('startsAt')}
          onEndsAt={setValue('expiresAt')}
        />
      </AdminForm>
      {list.status === 'error' && !list.data ? <ErrorState error={list.error} onRetry={list.reload} /> : null}
      {list.data ? (
        <ScheduleTable
          testId="admin-alerts"
          caption="Alerts, newest first"
          items={list.data.items}
          columns={[
            { header: 'Headline', cell: (alert) => alert.headline },
            { header: 'Severity', cell: (alert) => alert.severity },
            { header: 'Area', cell: (alert) => (alert.area.kind === 'circle' ? `${alert.area.placeName}, ${alert.area.radiusKm} km` : 'everywhere') },
          ]}
          until={(alert) => alert.expiresAt}
          name={(alert) => `alert "${alert.headline}"`}
          onEnd={(alert) => expire(alert.id)}
        />
      ) : null}
    </AdminSection>
  );
}

function AnnouncementsSection() {
  const list = useAsync(() => api.announcements.list.query(), []);
  const { error, busy, run } = useAction();
  const [form, setForm, setValue] = useFormState({ title: '', body: '', startsAt: '', endsAt: localInput(new Date(Date.now() + 24 * HOUR_MS)) });

  const submit = () =>
    void run(async () => {
      await api.announcements.create.mutate({
        title: form.title,
        body: form.body,
        startsAt: form.startsAt ? fromLocalInput(form.startsAt) : new Date().toISOString(),
        endsAt: fromLocalInput(form.endsAt),
      });
      setForm((f) => ({ ...f, title: '', body: '' }));
      list.reload();
    });
  const end = (id: string, startsAt: Date) =>
    void run(async () => {
      // Ending keeps the record: it stops now (one second after its start, if it has not started).
      const now = new Date();
      await api.announcements.update.mutate({ id, endsAt: (now > startsAt ? now : new Date(startsAt.getTime() + 1000)).toISOString() });
      list.reload();
    });

  return (
    <AdminSection id="admin-announcements" title="Announcements" intro="Notices on every page (maintenance, events); viewers can dismiss them.">
      <AdminForm label="Post an announcement" submitLabel="Post announcement" busy={busy} error={error} onSubmit={submit}>
        <MessageFields
          titleLabel="Title"
          titleMax={200}
          bodyMax={4000}
          title={form.title}
          body={form.body}
          onTitle={setValue('title')}
          onBody={setValue('body')}
        />
        <ScheduleFields startsAt={form.startsAt} endsAt={form.endsAt} endLabel="Ends" onStartsAt={setValue('startsAt')} onEndsAt={setValue('endsAt')} />
      </AdminForm>
      {list.status === 'error' && !list.data ? <ErrorState error={list.error} onRetry={list.reload} /> : null}
      {list.data ? (
        <ScheduleTable
          testId="admin-announcements"
          caption="Announcements"
          items={list.data.items}
          columns={[{ header: 'Title', cell: (item) => item.title }]}
          until={(item) => item.endsAt}
          name={(item) => `announcement "${item.title}"`}
          onEnd={(item) => end(item.id, new Date(item.startsAt))}
        />
      ) : null}
    </AdminSection>
  );
}
