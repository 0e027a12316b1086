import os from 'node:os';
import path from 'node:path';
import { createOriginClient, errorMessage, errorStatus } from '@spherecast/origin/client';
import { formatBytes } from '@spherecast/shared/format';
import { listCaptureDevices, MediaError, resolveLiveSource, type LiveSource } from '@spherecast/shared/media';
import { channelStatus, createChannel, endChannel, hlsIngestUrlOf } from '../../engine/live/ingest-client.ts';
import { LiveSession, type LiveHealth } from '../../engine/live/live-session.ts';
import type { CommandArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';

/** `test`, a capture device (`/dev/videoN`, dshow's `video=Name`, or `device:ID`), or else a file to loop. */
export function liveSourceOf(value: string, test: { size?: number | undefined; fps?: number | undefined }): LiveSource {
  if (value === 'test') return { kind: 'test', ...(test.size ? { width: test.size } : {}), ...(test.fps ? { fps: test.fps } : {}) };
  if (value.startsWith('device:')) return { kind: 'device', id: value.slice('device:'.length) };
  if (/^\/dev\/video\d+$/.test(value) || value.startsWith('video=')) return { kind: 'device', id: value };
  return { kind: 'file', path: value };
}

async function signIn(origin: string, login: string, password: string, signal: AbortSignal): Promise<string> {
  try {
    const answer = await createOriginClient({ baseUrl: origin, batch: false }).login({ login, password }, { signal });
    return answer.token;
  } catch (error) {
    const status = errorStatus(error);
    if (status === 0) throw new MediaError('ORIGIN_UNREACHABLE', `Cannot reach the origin at ${origin}: ${errorMessage(error)}`, { cause: error });
    if (status === 401 || status === 403)
      throw new MediaError('ORIGIN_AUTH_FAILED', 'The origin did not accept that login and password. Check them and try again.', { status, cause: error });
    throw new MediaError('ORIGIN_REJECTED', `The origin refused the sign-in (HTTP ${status}): ${errorMessage(error)}`, { status, cause: error });
  }
}

function describeHealth(h: LiveHealth): string {
  const rate = `${(h.outputBitrate / 1e6).toFixed(2)} Mb/s`;
  const viewers = h.viewers === null ? '' : `  ${h.viewers} watching`;
  const restarts = h.encoderRestarts > 0 ? `  encoder restarts ${h.encoderRestarts}` : '';
  return `${h.state.toUpperCase().padEnd(12)} ${rate}  ${h.fps.toFixed(0)}/${h.targetFps} fps ${h.speed.toFixed(2)}x  dropped ${h.droppedFrames}  queue ${h.queueDepth} (${formatBytes(h.queueBytes)})  reconnects ${h.reconnects}${restarts}${viewers}`;
}

/** `spherecast-studio live`: goes live until --duration runs out or Ctrl-C, then ends the broadcast. */
export async function liveCommand(args: CommandArgs<'live'>, ctx: CliContext): Promise<ExitCode> {
  const line = (value: unknown) => ctx.out(JSON.stringify(value));
  if (args['list-devices']) {
    const devices = await listCaptureDevices({ signal: ctx.signal });
    if (ctx.json) line({ devices });
    else if (devices.length === 0) ctx.out('no capture devices');
    else for (const device of devices) ctx.out(`${device.id.padEnd(24)} ${device.name} (${device.format})`);
    return EXIT.ok;
  }
  const origin = args.origin!.replace(/\/+$/, '');
  const source = await resolveLiveSource(liveSourceOf(args.source, args), { signal: ctx.signal });
  const token = args.login ? await signIn(origin, args.login, args.password!, ctx.signal) : args.token;

  let channel: { id: string; streamKey: string; hlsIngestUrl: string };
  if (args.key) {
    channel = { id: args.channel!, streamKey: args.key, hlsIngestUrl: hlsIngestUrlOf(origin, args.channel!) };
  } else {
    const created = await createChannel(
      origin,
      token!,
      { title: args.title ?? `Live from ${os.hostname()}`, projection: source.info.projection },
      { signal: ctx.signal },
    );
    channel = created;
    if (ctx.json) line({ event: 'channel', ...created });
    else ctx.err(`Opened channel ${created.id}. Stream key (shown once): ${created.streamKey}\n  HLS ingest ${created.hlsIngestUrl}  RTMP ${created.rtmpUrl}`);
  }
  if (!token && !ctx.json) ctx.err('No --token or --login: at the end the origin closes the broadcast after its grace period.');

  // One folder per channel, kept after a crash: going live again on the channel delivers what it holds.
  const spoolDir = path.resolve(args.spool ?? path.join(os.tmpdir(), 'spherecast-live', channel.id));
  const session = new LiveSession({
    source,
    hlsIngestUrl: channel.hlsIngestUrl,
    streamKey: channel.streamKey,
    spoolDir,
    channelStatus: () => channelStatus(origin, channel.id),
    ...(token ? { endChannel: () => endChannel(origin, token, channel.id) } : {}),
    ...(args.duration ? { durationSeconds: args.duration } : {}),
    ...(args.widths ? { eyeWidths: args.widths } : {}),
    ...(args.segment ? { segmentSeconds: args.segment } : {}),
    ...(args.preset ? { preset: args.preset } : {}),
  });
  session.on('trial', (trial) => {
    if (ctx.json) line({ event: 'trial', ...trial });
    else ctx.err(`Trial: ${trial.rungs.join(', ')} encodes at ${trial.speed.toFixed(2)}x real time`);
  });
  session.on('state', (state) => {
    if (ctx.json) line({ event: 'state', state });
    else ctx.err(`\n${state === 'live' ? 'LIVE' : state}: ${session.health().step}`);
  });
  session.on('encoderRestart', ({ error, restarts, startNumber }) => {
    if (ctx.json) line({ event: 'encoder-restarted', restarts, startNumber, error: error.message });
    else ctx.err(`\nThe encoder stopped (${error.message}); started it again (${restarts}), the broadcast goes on from segment ${startNumber}.`);
  });
  let lastPrinted = 0;
  session.on('health', (health) => {
    if (ctx.json) {
      line({ event: 'health', ...health });
    } else if (process.stderr.isTTY) {
      process.stderr.write(`\r${describeHealth(health).slice(0, (process.stderr.columns ?? 120) - 1)}`);
    } else if (Date.now() - lastPrinted >= 10_000) {
      lastPrinted = Date.now();
      ctx.err(describeHealth(health));
    }
  });
  const onAbort = () => session.end();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let summary;
  try {
    summary = await session.start();
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  const interrupted = ctx.signal.aborted;
  if (summary.error && !(interrupted && summary.error.code === 'CANCELLED')) throw summary.error;
  const result = {
    channelId: channel.id,
    channelEnded: summary.channelEnded,
    rungs: summary.rungs,
    uploadedSegments: summary.uploadedSegments,
    uploadedBytes: summary.uploadedBytes,
    reconnects: summary.reconnects,
    encoderRestarts: summary.encoderRestarts,
    resumedSegments: summary.resumedSegments,
    trials: summary.trials,
  };
  if (ctx.json) line({ event: 'ended', ...result });
  else {
    ctx.out(
      `\nEnded: ${summary.uploadedSegments} segments (${formatBytes(summary.uploadedBytes)}) of ${summary.rungs.join(', ')} delivered, ${summary.reconnects} reconnects; ` +
        (summary.channelEnded ? 'the broadcast is ended on the origin.' : 'the origin ends the broadcast after its grace period.'),
    );
  }
  return interrupted ? EXIT.cancelled : EXIT.ok;
}
