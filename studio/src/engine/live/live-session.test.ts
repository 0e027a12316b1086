// The live pusher with real ffmpeg against a real HTTP ingest peer that follows the origin's contract.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ffmpegPidsWriting } from '@spherecast/shared/testing/processes';
import { findPath, listTracks, parseBoxes, parseMasterPlaylist, resolveLiveSource } from '@spherecast/shared/media';
import { endChannel } from './ingest-client.ts';
import { LiveSession, type LiveHealth, type LiveState } from './live-session.ts';
import { TestIngestServer } from './test-ingest-server.ts';

describe('live session (pusher)', () => {
  let dir: string;
  let ingest: TestIngestServer;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-live-'));
    ingest = new TestIngestServer({ dir: path.join(dir, 'ingest') });
    await ingest.start();
  });
  after(async () => {
    await ingest?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const session = async (
    channel: { hlsIngestUrl: string; streamKey: string; id: string },
    options: { durationSeconds: number; spool: string; eyeWidths?: number[] },
  ) =>
    new LiveSession({
      source: await resolveLiveSource({ kind: 'test', width: 256, fps: 10 }),
      hlsIngestUrl: channel.hlsIngestUrl,
      streamKey: channel.streamKey,
      spoolDir: path.join(dir, options.spool),
      durationSeconds: options.durationSeconds,
      eyeWidths: options.eyeWidths ?? [256, 128],
      preset: 'ultrafast',
      trialSeconds: 1,
      // 1 s segments (not the 2 s default): the assertions count segments per second of broadcast.
      segmentSeconds: 1,
      pollMs: 100,
      backoff: { initialMs: 100, maxMs: 400 },
      healthIntervalMs: 200,
      endChannel: () => endChannel(ingest.url, ingest.creatorToken, channel.id),
      channelStatus: () => Promise.resolve({ viewers: 3 }),
    });

  test('keeps encoding while the ingest is down for 3 s, then delivers every segment in order; the channel is ended', async (t) => {
    const channel = ingest.openChannel();
    const live = await session(channel, { durationSeconds: 8, spool: 'spool-outage' });
    const states: LiveState[] = [];
    const health: LiveHealth[] = [];
    live.on('state', (state) => states.push(state));
    live.on('health', (h) => health.push(h));
    let outage: Promise<void> | undefined;
    live.on('state', (state) => {
      if (state === 'live' && !outage) {
        outage = (async () => {
          await ingest.stop();
          await new Promise((resolve) => setTimeout(resolve, 3000));
          await ingest.start();
        })();
      }
    });
    const summary = await live.start();
    await outage;
    assert.equal(summary.reason, 'ended', summary.error?.message);
    assert.equal(summary.channelEnded, true);
    assert.equal(ingest.channel(channel.id)?.status, 'ended');
    assert.deepEqual(states, ['live', 'reconnecting', 'live', 'ended'], 'connecting is the initial state');
    assert.ok(summary.reconnects >= 1);
    const deepest = Math.max(...health.map((h) => h.queueDepth));
    t.diagnostic(
      `rungs ${summary.rungs.join(',')}; trials ${summary.trials.map((x) => `${x.rungs.join('+')} ${x.speed.toFixed(2)}x`).join('; ')}; deepest queue ${deepest} segments; ${summary.uploadedSegments} segments uploaded`,
    );
    assert.ok(deepest >= 6, `segments of every rung queued on disk during the 3 s outage (deepest queue ${deepest})`);
    assert.ok(
      health.some((h) => h.state === 'reconnecting' && h.speed > 0),
      'the encoder kept going while the origin was down',
    );
    assert.ok(health.some((h) => h.viewers === 3));
    assert.ok(health.some((h) => h.outputBitrate > 0));

    assert.deepEqual(summary.rungs, ['256x128', '128x64']);
    for (const rung of ['256x128', '128x64', 'audio']) {
      const numbers = ingest.segmentsOf(channel.id, rung);
      assert.deepEqual(numbers.slice(0, 8), [0, 1, 2, 3, 4, 5, 6, 7], `${rung}: every segment, in order (${numbers.join(',')})`);
    }
    // Oldest first across rungs: a segment number never arrives before a smaller one of any rung.
    const order = ingest.arrivals.filter((a) => a.channelId === channel.id && /seg_/.test(a.path)).map((a) => Number(/seg_(\d+)/.exec(a.path)![1]));
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
    // Inits and the master came first; the master names the projection; each video init carries sv3d.
    const first = ingest.arrivals
      .filter((a) => a.channelId === channel.id)
      .slice(0, 4)
      .map((a) => a.path);
    assert.deepEqual(first, ['256x128/init.mp4', '128x64/init.mp4', 'audio/init.mp4', 'master.m3u8']);
    const received = path.join(ingest.dir, channel.id);
    const master = parseMasterPlaylist(await readFile(path.join(received, 'master.m3u8'), 'utf8'));
    assert.deepEqual(
      master.sessionData.map((d) => d.VALUE),
      ['equirectangular-mono'],
    );
    assert.deepEqual(
      master.variants.map((v) => [v.uri, v.attributes['REQ-VIDEO-LAYOUT']]),
      [
        ['256x128/index.m3u8', 'CH-MONO/PROJ-EQUI'],
        ['128x64/index.m3u8', 'CH-MONO/PROJ-EQUI'],
      ],
    );
    const init = new Uint8Array(await readFile(path.join(received, '256x128', 'init.mp4')));
    const video = listTracks(init, parseBoxes(init)).find((track) => track.handler === 'vide');
    assert.ok(
      video?.sampleEntry?.children.some((box) => box.type === 'sv3d'),
      'the init segment carries the spherical box',
    );
    assert.ok(findPath(parseBoxes(init), ['moov']));
    const playlist = await readFile(path.join(received, '256x128', 'index.m3u8'), 'utf8');
    assert.match(playlist, /#EXT-X-PROGRAM-DATE-TIME:\d{4}-\d\d-\d\dT[\d:.]+Z/);
    assert.match(playlist, /seg_7\.m4s/);
    // The spool is gone after a clean end.
    await assert.rejects(readdir(path.join(dir, 'spool-outage')), { code: 'ENOENT' });
  });

  test(
    'the encoder killed mid-broadcast is started again: same channel, numbers keep increasing, nothing sent twice; health counts the restart',
    { skip: process.platform === 'linux' ? false : 'reads /proc' },
    async (t) => {
      const channel = ingest.openChannel();
      const spool = path.join(dir, 'spool-crash');
      const live = await session(channel, { durationSeconds: 9, spool: 'spool-crash', eyeWidths: [128] });
      const health: LiveHealth[] = [];
      live.on('health', (h) => health.push(h));
      const restarts: { startNumber: number; message: string }[] = [];
      live.on('encoderRestart', ({ startNumber, error }) => restarts.push({ startNumber, message: error.message }));
      let killed: number[] = [];
      let before: number[] = [];
      live.on('health', (h) => {
        if (killed.length === 0 && h.state === 'live' && h.uploadedSegments >= 6) {
          before = ingest.segmentsOf(channel.id, '128x64');
          killed = ffmpegPidsWriting(path.join(spool, 'run-0'));
          for (const pid of killed) process.kill(pid, 'SIGKILL');
        }
      });
      const summary = await live.start();
      assert.equal(summary.reason, 'ended', summary.error?.message);
      assert.equal(killed.length, 1, 'the one live ffmpeg was found and killed');
      assert.equal(summary.encoderRestarts, 1);
      assert.equal(restarts.length, 1);
      assert.match(restarts[0]!.message, /ffmpeg|signal|SIGKILL/i);
      assert.ok(
        health.some((h) => h.encoderRestarts === 1 && /restarted/i.test(h.step + (h.lastError ?? ''))),
        'health reports the restart',
      );
      assert.equal(summary.channelEnded, true);
      for (const rung of ['128x64', 'audio']) {
        const numbers = ingest.segmentsOf(channel.id, rung);
        t.diagnostic(`${rung}: ${numbers.join(',')} (restart from ${restarts[0]!.startNumber})`);
        assert.deepEqual(
          numbers,
          [...new Set(numbers)].sort((a, b) => a - b),
          `${rung}: increasing, none sent twice`,
        );
        assert.ok(
          numbers.some((n) => n >= restarts[0]!.startNumber),
          `${rung}: the broadcast went on after the restart`,
        );
        assert.ok(numbers.every((n) => n < restarts[0]!.startNumber || !before.includes(n)));
      }
      assert.deepEqual(ingest.segmentsOf(channel.id, '128x64').slice(0, before.length), before, 'what was published before the crash stays as it was');
      assert.deepEqual(ingest.refusals, [], 'the ingest refused nothing (no segment number reused)');
      await assert.rejects(readdir(spool), { code: 'ENOENT' });
    },
  );

  test('a wrong stream key stops the broadcast with a clear 401 error; an ended channel with a 409', async () => {
    const channel = ingest.openChannel();
    const wrong = await session({ ...channel, streamKey: 'not-the-key' }, { durationSeconds: 30, spool: 'spool-401' });
    const started = Date.now();
    const summary = await wrong.start();
    assert.equal(summary.reason, 'error');
    assert.equal(summary.error?.code, 'ORIGIN_AUTH_FAILED');
    assert.match(summary.error?.message ?? '', /HTTP 401.*stream key/);
    assert.ok(Date.now() - started < 20_000, 'the encoder stopped at once, not after the 30 s source');

    const ended = ingest.openChannel();
    await endChannel(ingest.url, ingest.creatorToken, ended.id);
    const late = await (await session(ended, { durationSeconds: 30, spool: 'spool-409' })).start();
    assert.equal(late.error?.code, 'ORIGIN_REJECTED');
    assert.match(late.error?.message ?? '', /HTTP 409.*ended/);
  });
});
