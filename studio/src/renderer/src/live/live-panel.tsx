import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useAction, useAsync, useStudio } from '../state/studio-context.tsx';
import type { StudioInputs, StudioOutputs } from '../trpc/client.ts';
import { describeError } from '../trpc/client.ts';
import { formatBytes } from '@spherecast/shared/format';
import { ErrorNote, Spinner } from '../ui/feedback.tsx';

type LiveStatus = NonNullable<StudioOutputs['live']['status']>;
type SourceKind = 'test' | 'file' | 'device';
const TEST_SIZES = [1920, 1280, 640, 256] as const;

/** The broadcast as the engine reports it, kept current by the `live.watch` subscription. */
function useLiveStatus(): { status: LiveStatus | null; connectionError: string | null } {
  const { client } = useStudio();
  const [status, setStatus] = useState<LiveStatus | null>(null);
  const [connectionError, setConnectionError] = useState<string | null>(null);
  useEffect(() => {
    const subscription = client.live.watch.subscribe(undefined, {
      onStarted: () => setConnectionError(null),
      onData: (value) => setStatus(value),
      onError: (error) => setConnectionError(describeError(error)),
    });
    return () => subscription.unsubscribe();
  }, [client]);
  return { status, connectionError };
}

/** Go live from the studio: source, title, channel, go live / end, and the broadcast's health. */
export function LivePanel() {
  const { client } = useStudio();
  const sources = useAsync(() => client.live.sources.query(), 'live-sources');
  const session = useAsync(() => client.origin.session.query(), 'live-session');
  const { status, connectionError } = useLiveStatus();
  const [kind, setKind] = useState<SourceKind>('test');
  const [testWidth, setTestWidth] = useState<number>(1920);
  const [filePath, setFilePath] = useState('');
  const [deviceId, setDeviceId] = useState('');
  const [title, setTitle] = useState('');
  const [useKey, setUseKey] = useState(false);
  const [originUrl, setOriginUrl] = useState('http://127.0.0.1:8080');
  const [channelId, setChannelId] = useState('');
  const [streamKey, setStreamKey] = useState('');

  const onAir = status !== null && status.health.state !== 'ended';
  const devices = sources.data?.devices ?? [];
  const keyMode = useKey || session.data === null;

  const goLive = useAction(async (event: FormEvent) => {
    event.preventDefault();
    const source: StudioInputs['live']['start']['source'] =
      kind === 'test' ? { kind, width: testWidth } : kind === 'file' ? { kind, path: filePath } : { kind, id: deviceId || (devices[0]?.id ?? '') };
    await client.live.start.mutate({
      source,
      ...(title.trim() ? { title: title.trim() } : {}),
      ...(keyMode ? { channel: { originUrl, id: channelId, streamKey } } : {}),
    });
  });
  const end = useAction(() => client.live.end.mutate());

  return (
    <section className="panel live-panel" aria-label="Live">
      <header className="panel-header">
        <h3>Go live</h3>
      </header>
      {connectionError ? <ErrorNote title="Live status is not updating." message={connectionError} /> : null}
      <form className="form" onSubmit={(event) => void goLive.run(event)} aria-label="Go live">
        <fieldset className="form-row" disabled={onAir}>
          <legend className="small">Source</legend>
          <label>
            Source
            <select name="source" value={kind} onChange={(event) => setKind(event.target.value as SourceKind)}>
              <option value="test">360 test pattern with clock</option>
              <option value="file">A video file, looped</option>
              <option value="device" disabled={devices.length === 0}>
                Capture device
              </option>
            </select>
          </label>
          {kind === 'test' ? (
            <label>
              Pattern size
              <select name="testWidth" value={testWidth} onChange={(event) => setTestWidth(Number(event.target.value))}>
                {TEST_SIZES.map((w) => (
                  <option key={w} value={w}>{`${w}×${w / 2}`}</option>
                ))}
              </select>
            </label>
          ) : null}
          {kind === 'file' ? (
            <label>
              File path
              <input name="filePath" required value={filePath} onChange={(event) => setFilePath(event.target.value)} />
            </label>
          ) : null}
          {kind === 'device' ? (
            <label>
              Device
              <select name="device" value={deviceId} onChange={(event) => setDeviceId(event.target.value)}>
                {devices.map((device) => (
                  <option key={device.id} value={device.id}>{`${device.name} (${device.format})`}</option>
                ))}
              </select>
            </label>
          ) : null}
        </fieldset>
        {sources.loading && !sources.data ? <Spinner label="Looking for capture devices…" /> : null}
        {sources.data && devices.length === 0 ? (
          <p className="small muted" data-testid="no-devices">
            No capture devices on this computer.
          </p>
        ) : null}
        <fieldset className="form-row" disabled={onAir}>
          <label>
            Title
            <input name="title" maxLength={200} value={title} placeholder="Live from the reef" onChange={(event) => setTitle(event.target.value)} />
          </label>
        </fieldset>
        {session.data ? (
          <label className="small">
            <input type="checkbox" checked={useKey} disabled={onAir} onChange={(event) => setUseKey(event.target.checked)} /> Push to an existing channel with
            its stream key (otherwise a new channel opens on <code>{session.data.originUrl}</code>)
          </label>
        ) : (
          <p className="small muted">Not signed in: push to a channel with its stream key, or sign in under Publish to open channels from here.</p>
        )}
        {keyMode ? (
          <fieldset className="form-row" disabled={onAir}>
            <label>
              Origin URL
              <input name="liveOrigin" type="url" required value={originUrl} onChange={(event) => setOriginUrl(event.target.value)} />
            </label>
            <label>
              Channel id
              <input name="channelId" required value={channelId} onChange={(event) => setChannelId(event.target.value)} />
            </label>
            <label>
              Stream key
              <input name="streamKey" type="password" required autoComplete="off" value={streamKey} onChange={(event) => setStreamKey(event.target.value)} />
            </label>
          </fieldset>
        ) : null}
        {goLive.error ? <ErrorNote title="Could not go live." message={goLive.error} /> : null}
        {onAir ? (
          <button type="button" className="button" onClick={() => void end.run()} disabled={end.busy}>
            {end.busy ? 'Ending…' : 'End broadcast'}
          </button>
        ) : (
          <button type="submit" className="button primary" disabled={goLive.busy}>
            {goLive.busy ? 'Starting…' : 'Go live'}
          </button>
        )}
        {end.error ? <ErrorNote message={end.error} /> : null}
      </form>
      {status ? <LiveHealthView status={status} /> : null}
    </section>
  );
}

function LiveHealthView({ status }: { status: LiveStatus }) {
  const h = status.health;
  const label = { connecting: 'Connecting', live: 'LIVE', reconnecting: 'Reconnecting', ended: 'Ended' }[h.state];
  return (
    <div className="live-health" data-testid="live-health" data-state={h.state}>
      <p>
        <strong className={`live-state live-state-${h.state}`}>{label}</strong> {status.title} · <span className="small muted">{status.sourceLabel}</span>
      </p>
      {status.error ? (
        <ErrorNote title="The broadcast stopped." message={status.error} />
      ) : (
        <p className="small" data-testid="live-step">
          {h.step}
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>Renditions</dt>
          <dd>{h.rungs.join(', ') || '…'}</dd>
        </div>
        <div>
          <dt>Output</dt>
          <dd>{(h.outputBitrate / 1e6).toFixed(2)} Mb/s</dd>
        </div>
        <div>
          <dt>Encoding</dt>
          <dd>
            {h.fps.toFixed(0)} / {h.targetFps} fps ({h.speed.toFixed(2)}x)
          </dd>
        </div>
        <div>
          <dt>Dropped frames</dt>
          <dd>{h.droppedFrames}</dd>
        </div>
        <div>
          <dt>Upload queue</dt>
          <dd data-testid="live-queue">
            {h.queueDepth} segments ({formatBytes(h.queueBytes)})
          </dd>
        </div>
        <div>
          <dt>Sent</dt>
          <dd data-testid="live-uploaded">{h.uploadedSegments} segments</dd>
        </div>
        <div>
          <dt>Reconnects</dt>
          <dd>{h.reconnects}</dd>
        </div>
        <div>
          <dt>Encoder restarts</dt>
          <dd data-testid="live-encoder-restarts">{h.encoderRestarts}</dd>
        </div>
        <div>
          <dt>Viewers</dt>
          <dd data-testid="live-viewers">{h.viewers ?? '–'}</dd>
        </div>
      </dl>
    </div>
  );
}
