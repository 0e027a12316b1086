// The advertiser's page (#14): create a campaign (a flat or 360 creative uploaded with tus and
// processed by the same pipeline as any video, or an external VAST tag), see the campaigns, pause
// them, and read each one's daily report. The API checks the role and ownership again.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Upload } from 'tus-js-client';
import { adDeliverySchema, type AdCreativeKind, type AdDelivery, type UploadState } from '@spherecast/shared';
import { api, errorMessage, type RouterOutputs } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { Link } from '../router.tsx';
import { FormError, SelectField } from '../ui/fields.tsx';
import { EmptyState, ErrorState, Spinner } from '../ui/states.tsx';
import { useAsync } from '../ui/use-async.ts';
import '../admin/admin.css';
import './ads.css';

const DAY_MS = 86_400_000;
const CHUNK_BYTES = 8 * 1024 * 1024;
const localInput = (date: Date) => new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const fromLocalInput = (value: string) => new Date(value).toISOString();
const list = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
/** Dates arrive as JSON strings. */
type Campaign = RouterOutputs['ads']['campaigns']['list']['items'][number];
type Report = RouterOutputs['ads']['campaigns']['report'];
const DELIVERY_LABELS: Record<AdDelivery, string> = { any: 'Live and VOD', live: 'Live only', vod: 'VOD only' };

export default function AdsPage() {
  const { me } = useSession();
  const campaigns = useAsync(() => api.ads.campaigns.list.query(), [me?.id]);
  if (me === undefined) return <Spinner />;
  if (me?.role !== 'advertiser' && me?.role !== 'admin') {
    return (
      <EmptyState title="Advertisers only">
        Campaigns are run by advertiser accounts: ask an admin to make yours one. {me ? null : <Link to="/signin?next=%2Fads">Sign in</Link>}
      </EmptyState>
    );
  }
  return (
    <div className="admin-page" data-testid="ads-page">
      <h1>Ad campaigns</h1>
      <CampaignForm onCreated={campaigns.reload} />
      <section className="admin-section" aria-labelledby="campaigns-title">
        <h2 id="campaigns-title">Campaigns</h2>
        {campaigns.status === 'error' ? <ErrorState error={campaigns.error} onRetry={campaigns.reload} /> : null}
        {campaigns.data === undefined ? <Spinner /> : null}
        {campaigns.data?.items.length === 0 ? <p>No campaign yet.</p> : null}
        {campaigns.data?.items.map((campaign) => (
          <CampaignRow key={campaign.id} campaign={campaign} onChange={campaigns.reload} />
        ))}
      </section>
    </div>
  );
}

interface FormFields {
  name: string;
  creativeForm: AdCreativeKind;
  source: 'upload' | 'vast';
  vastTagUrl: string;
  clickThroughUrl: string;
  skipOffsetSeconds: string;
  startsAt: string;
  endsAt: string;
  budgetImpressions: string;
  frequencyCapPerDay: string;
  genres: string;
  tags: string;
  delivery: AdDelivery;
  placeName: string;
  latitude: string;
  longitude: string;
  radiusKm: string;
}

function CampaignForm({ onCreated }: { onCreated: () => void }) {
  const now = new Date();
  const [fields, setFields] = useState<FormFields>({
    name: '',
    creativeForm: 'flat',
    source: 'upload',
    vastTagUrl: '',
    clickThroughUrl: '',
    skipOffsetSeconds: '5',
    startsAt: localInput(now),
    endsAt: localInput(new Date(now.getTime() + 30 * DAY_MS)),
    budgetImpressions: '10000',
    frequencyCapPerDay: '3',
    genres: '',
    tags: '',
    delivery: 'any',
    placeName: '',
    latitude: '',
    longitude: '',
    radiusKm: '',
  });
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [uploadId, setUploadId] = useState<string | null>(null);
  const [sent, setSent] = useState(0);
  const [state, setState] = useState<UploadState | null>(null);
  const upload = useRef<Upload | null>(null);

  // Follows the creative's processing until it is ready or failed.
  useEffect(() => {
    if (!uploadId) return;
    // This upload's own tus sender: by the time this effect is cleaned up (the page closes, or the next
    // campaign's upload starts), `upload.current` may already be the next one, which must go on.
    const sending = upload.current;
    let stopped = false;
    const poll = async () => {
      while (!stopped) {
        try {
          const next = await api.uploads.get.query({ uploadId });
          setState(next);
          if (next.status === 'ready' || next.status === 'failed') {
            onCreated();
            return;
          }
        } catch (e) {
          setError(errorMessage(e));
        }
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
    };
    void poll();
    return () => {
      stopped = true;
      void sending?.abort();
    };
  }, [uploadId, onCreated]);

  const set = (name: keyof FormFields) => (event: { target: { value: string } }) => setFields((f) => ({ ...f, [name]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (fields.source === 'upload' && !file) {
      setError('Choose the creative video (flat or 360), or use an external VAST tag.');
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const hasPlace = fields.placeName.trim() && fields.latitude && fields.longitude && fields.radiusKm;
      const campaign = await api.ads.campaigns.create.mutate({
        name: fields.name,
        creativeForm: fields.creativeForm,
        vastTagUrl: fields.source === 'vast' ? fields.vastTagUrl.trim() : null,
        clickThroughUrl: fields.clickThroughUrl.trim() || null,
        skipOffsetSeconds: fields.skipOffsetSeconds.trim() === '' ? null : Number(fields.skipOffsetSeconds),
        startsAt: fromLocalInput(fields.startsAt),
        endsAt: fromLocalInput(fields.endsAt),
        budgetImpressions: Number(fields.budgetImpressions),
        frequencyCapPerDay: Number(fields.frequencyCapPerDay),
        targeting: {
          genres: list(fields.genres.toLowerCase()),
          tags: list(fields.tags.toLowerCase()),
          delivery: fields.delivery,
          place: hasPlace
            ? { placeName: fields.placeName.trim(), latitude: Number(fields.latitude), longitude: Number(fields.longitude), radiusKm: Number(fields.radiusKm) }
            : null,
        },
      });
      onCreated();
      if (campaign.creative && file) {
        const created = await api.uploads.create.mutate({ contentId: campaign.creative.contentId, fileName: file.name, size: file.size });
        const tus = new Upload(file, {
          uploadUrl: created.uploadUrl,
          chunkSize: CHUNK_BYTES,
          retryDelays: [0, 1000, 3000, 5000, 10000],
          // The session cookie authenticates the tus requests (same origin).
          onBeforeRequest: (request) => {
            (request.getUnderlyingObject() as XMLHttpRequest).withCredentials = true;
          },
          onProgress: (bytes) => setSent(bytes),
          onError: (e) => setError(`The upload stopped: ${e.message.split('\n')[0] ?? ''}`),
          onSuccess: () => setSent(file.size),
        });
        upload.current = tus;
        tus.start();
        // The status shown is this upload's from now on, not the previous campaign's.
        setState(null);
        setSent(0);
        setUploadId(created.uploadId);
      }
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="admin-section" aria-labelledby="new-campaign-title">
      <h2 id="new-campaign-title">New campaign</h2>
      <form className="admin-form" onSubmit={(event) => void submit(event)} data-testid="campaign-form">
        <label>
          <span>Name</span>
          <input name="name" value={fields.name} onChange={set('name')} required maxLength={120} />
        </label>
        <fieldset>
          <legend>Creative</legend>
          <SelectField
            label="Source"
            name="source"
            value={fields.source}
            options={['upload', 'vast'] as const}
            labels={(value) => (value === 'upload' ? 'Upload a video' : 'External VAST tag')}
            onChange={(source) => setFields((f) => ({ ...f, source }))}
          />
          {fields.source === 'upload' ? (
            <>
              <SelectField
                label="Shown as"
                name="creativeForm"
                value={fields.creativeForm}
                options={['flat', '360'] as const}
                labels={(value) => (value === 'flat' ? 'Flat (a screen in front of the viewer)' : '360 (on the sphere)')}
                onChange={(creativeForm) => setFields((f) => ({ ...f, creativeForm }))}
              />
              <label>
                <span>Video file</span>
                <input name="creative" type="file" accept="video/*" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
              </label>
            </>
          ) : (
            <label>
              <span>VAST tag URL</span>
              <input
                name="vastTagUrl"
                type="url"
                value={fields.vastTagUrl}
                onChange={set('vastTagUrl')}
                required
                placeholder="https://ads.example/vast?slot=1"
              />
            </label>
          )}
          <label>
            <span>Click-through URL</span>
            <input name="clickThroughUrl" type="url" value={fields.clickThroughUrl} onChange={set('clickThroughUrl')} placeholder="https://" />
          </label>
          <label>
            <span>Skippable after (s, empty: never)</span>
            <input name="skipOffsetSeconds" type="number" min={0} max={600} value={fields.skipOffsetSeconds} onChange={set('skipOffsetSeconds')} />
          </label>
        </fieldset>
        <fieldset>
          <legend>Schedule and budget</legend>
          <label>
            <span>Starts</span>
            <input name="startsAt" type="datetime-local" value={fields.startsAt} onChange={set('startsAt')} required />
          </label>
          <label>
            <span>Ends</span>
            <input name="endsAt" type="datetime-local" value={fields.endsAt} onChange={set('endsAt')} required />
          </label>
          <label>
            <span>Budget (impressions)</span>
            <input name="budgetImpressions" type="number" min={1} value={fields.budgetImpressions} onChange={set('budgetImpressions')} required />
          </label>
          <label>
            <span>Per viewer per day</span>
            <input name="frequencyCapPerDay" type="number" min={1} max={1000} value={fields.frequencyCapPerDay} onChange={set('frequencyCapPerDay')} required />
          </label>
        </fieldset>
        <fieldset>
          <legend>Targeting</legend>
          <label>
            <span>Genres (comma-separated, empty: any)</span>
            <input name="genres" value={fields.genres} onChange={set('genres')} />
          </label>
          <label>
            <span>Tags (any of them)</span>
            <input name="tags" value={fields.tags} onChange={set('tags')} />
          </label>
          <SelectField
            label="Streams"
            name="delivery"
            value={fields.delivery}
            options={adDeliverySchema.options}
            labels={(value) => DELIVERY_LABELS[value]}
            onChange={(delivery) => setFields((f) => ({ ...f, delivery }))}
          />
          <label>
            <span>Place</span>
            <input name="placeName" value={fields.placeName} onChange={set('placeName')} placeholder="Anywhere" />
          </label>
          <label>
            <span>Latitude</span>
            <input name="latitude" type="number" step="any" min={-90} max={90} value={fields.latitude} onChange={set('latitude')} />
          </label>
          <label>
            <span>Longitude</span>
            <input name="longitude" type="number" step="any" min={-180} max={180} value={fields.longitude} onChange={set('longitude')} />
          </label>
          <label>
            <span>Radius (km)</span>
            <input name="radiusKm" type="number" step="any" min={0} value={fields.radiusKm} onChange={set('radiusKm')} />
          </label>
        </fieldset>
        <FormError error={error} />
        <button type="submit" className="button" disabled={busy}>
          Create campaign
        </button>
        {uploadId ? (
          <p role="status" data-testid="creative-status" data-status={state?.status ?? 'uploading'}>
            Creative: {state?.status ?? 'uploading'}
            {(state?.status ?? 'uploading') === 'uploading' && file ? ` (${Math.round((100 * sent) / Math.max(1, file.size))}%)` : ''}
            {state?.error ? ` — ${state.error}` : ''}
          </p>
        ) : null}
      </form>
    </section>
  );
}

function CampaignRow({ campaign, onChange }: { campaign: Campaign; onChange: () => void }) {
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      onChange();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const creative = campaign.vastTagUrl ? 'external VAST tag' : `${campaign.creativeForm} creative: ${campaign.creative?.status ?? 'missing'}`;
  return (
    <article className="ads-campaign" data-testid="campaign" data-campaign-id={campaign.id}>
      <h3>{campaign.name}</h3>
      <p>
        {creative} · {new Date(campaign.startsAt).toLocaleString()} – {new Date(campaign.endsAt).toLocaleString()} · {campaign.impressions} /{' '}
        {campaign.budgetImpressions} impressions · {campaign.paused ? 'paused' : 'running'}
      </p>
      <div className="ads-actions">
        <button
          type="button"
          className="button button-ghost"
          onClick={() => void act(() => api.ads.campaigns.update.mutate({ id: campaign.id, paused: !campaign.paused }))}
        >
          {campaign.paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          className="button button-ghost"
          onClick={() =>
            void api.ads.campaigns.report.query({ id: campaign.id }).then(setReport, (e: unknown) => {
              setError(errorMessage(e));
            })
          }
        >
          Report
        </button>
        <button type="button" className="button button-ghost" onClick={() => void act(() => api.ads.campaigns.delete.mutate({ id: campaign.id }))}>
          Delete
        </button>
      </div>
      <FormError error={error} />
      {report ? (
        <table className="admin-table" data-testid="campaign-report">
          <thead>
            <tr>
              <th>Day (UTC)</th>
              <th>Impressions</th>
              <th>Completion rate</th>
              <th>Clicks</th>
            </tr>
          </thead>
          <tbody>
            {report.days.map((day) => (
              <tr key={day.day}>
                <td>{day.day}</td>
                <td>{day.impressions}</td>
                <td>{Math.round(day.completionRate * 100)}%</td>
                <td>{day.clicks}</td>
              </tr>
            ))}
            <tr>
              <th>Total</th>
              <td>{report.totals.impressions}</td>
              <td>{Math.round(report.totals.completionRate * 100)}%</td>
              <td>{report.totals.clicks}</td>
            </tr>
          </tbody>
        </table>
      ) : null}
    </article>
  );
}
