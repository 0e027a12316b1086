// The origin dies mid-broadcast: `spherecast-studio live` pushes to an origin running as a child
// process, the origin is killed (SIGKILL) and started again 10 s later on the same PostgreSQL
// database, media folder and port. The pusher queues and retries; the broadcast goes on and the
// recording has every segment the pusher delivered, in order, none missing.
// PostgreSQL only: an embedded PGlite folder belongs to the process that had it open.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServerDatabase, testDatabaseKinds } from '../../src/test-support/databases.ts';
import { killOriginProcess, startOriginProcess, type OriginProcess } from '../../src/test-support/origin-process.ts';
import { sleep } from './support/browser.ts';
import { LEAN_LIVE, LiveCli } from './support/live-cli.ts';
import { freePort } from '@spherecast/shared/testing/net';

const hasPostgres = (await testDatabaseKinds()).includes('postgres');

describe('live: the origin killed and restarted mid-broadcast (PostgreSQL)', { skip: hasPostgres ? false : 'needs PostgreSQL at TEST_DATABASE_URL' }, () => {
  let server: Awaited<ReturnType<typeof createServerDatabase>> | undefined;
  let dbUrl: string;
  let dataDir: string;
  let port: number;
  let running: OriginProcess | null = null;
  let cli: LiveCli | null = null;

  const start = async (): Promise<OriginProcess> => {
    running = await startOriginProcess({ DATABASE_URL: dbUrl, DATA_DIR: dataDir, LIVE_GRACE_SECONDS: '60', SPHERECAST_TEST_PORT: String(port) });
    return running;
  };

  before(async () => {
    server = await createServerDatabase('spherecast_live_fault');
    dbUrl = server.url;
    dataDir = await mkdtemp(path.join(tmpdir(), 'spherecast-live-fault-'));
    port = await freePort();
  });

  after(async () => {
    cli?.kill();
    if (running) await killOriginProcess(running);
    await rm(dataDir, { recursive: true, force: true });
    await server?.drop();
  });

  test('SIGKILL, 10 s down, restart: the broadcast goes on and no delivered segment is missing from the recording', async () => {
    let origin = await start();
    const api = async <T>(method: string, pathname: string, token?: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${origin.url}${pathname}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${pathname} -> ${response.status}: ${text}`);
      return JSON.parse(text) as T;
    };
    const { token } = await api<{ token: string }>('POST', '/api/auth/register', undefined, {
      username: 'fault_caster',
      email: 'fault_caster@example.test',
      password: 'correct-horse-battery',
      role: 'creator',
    });

    cli = new LiveCli([
      '--source',
      'test',
      '--origin',
      origin.url,
      '--token',
      token,
      '--title',
      'Through the outage',
      '--duration',
      '30',
      '--segment',
      '1',
      ...LEAN_LIVE,
    ]);
    const channelId = String((await cli.waitFor((e) => e.event === 'channel', 30_000)).id);
    const deadline = Date.now() + 60_000;
    let status = await api<{ status: string; contentId: string }>('GET', `/api/live/channels/${channelId}`, token);
    while (status.status !== 'live' && Date.now() < deadline) {
      await sleep(500);
      status = await api('GET', `/api/live/channels/${channelId}`, token);
    }
    assert.equal(status.status, 'live');
    await sleep(4000);

    running = null;
    assert.equal(await killOriginProcess(origin), 'SIGKILL');
    await sleep(10_000);
    origin = await start();
    assert.equal(origin.url, `http://127.0.0.1:${port}`);

    // The pusher's own account of the outage, and the clean end (exit 0 ends the channel).
    assert.equal(await cli.exited, 0, cli.stderr.slice(-2000));
    const ended = cli.events.at(-1) as { event: string; channelEnded: boolean; uploadedSegments: number; reconnects: number };
    assert.equal(ended.event, 'ended');
    assert.equal(ended.channelEnded, true);
    assert.ok(ended.reconnects >= 1 || cli.events.some((e) => e.event === 'state' && e.state === 'reconnecting'), 'the pusher saw the outage');
    assert.equal((await api<{ status: string }>('GET', `/api/live/channels/${channelId}`, token)).status, 'ended');

    // The recording: the segments the pusher delivered, numbered without a gap.
    const playback = await api<{ masterUrl: string; live: boolean }>('GET', `/api/streaming/${status.contentId}`);
    assert.equal(playback.live, false);
    const masterUrl = new URL(playback.masterUrl, origin.url);
    const master = await (await fetch(masterUrl)).text();
    // Video rungs (EXT-X-STREAM-INF lines) and the audio rendition (EXT-X-MEDIA URI).
    const rungs = [...master.split('\n').filter((l) => l.endsWith('.m3u8')), ...[...master.matchAll(/URI="([^"]+\.m3u8)"/g)].map((m) => m[1] ?? '')];
    assert.ok(rungs.length >= 1, master);
    let recorded = 0;
    for (const rung of rungs) {
      const recording = await (await fetch(new URL(rung.replace(/index\.m3u8$/, 'recording.m3u8'), masterUrl))).text();
      assert.match(recording.trimEnd(), /#EXT-X-ENDLIST$/);
      const numbers = [...recording.matchAll(/seg_(\d+)\.m4s/g)].map((m) => Number(m[1]));
      assert.deepEqual(
        numbers,
        numbers.map((_, i) => (numbers[0] ?? 0) + i),
        `no segment missing from ${rung}`,
      );
      // About 30 s of source in 1 s segments: the outage cost the recording nothing.
      assert.ok(numbers.length >= 25, `${numbers.length} segments of ${rung} for 30 s`);
      recorded += numbers.length;
    }
    // The pusher counts every media segment of every rung it delivered (the origin answered 2xx).
    assert.equal(recorded, ended.uploadedSegments, `the recordings list every delivered segment (${recorded} listed, ${ended.uploadedSegments} delivered)`);
    console.log(`live fault: ${recorded} segments delivered and recorded, ${ended.reconnects} reconnects`);
  });
});
