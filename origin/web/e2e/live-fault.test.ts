// The origin dies mid-broadcast: `spherecast-studio live` pushes to an origin running as a child
// process, the origin is killed (SIGKILL) and started again 10 s later on the same PostgreSQL
// database, media folder and port. The pusher queues and retries; the broadcast goes on and the
// recording has every segment the pusher delivered, in order, none missing.
// PostgreSQL only: an embedded PGlite folder belongs to the process that had it open.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sleep } from './support/browser.ts';
import { LEAN_LIVE, LiveCli } from './support/live-cli.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support/live-origin-child.ts');
const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

async function postgresUp(): Promise<boolean> {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

type Running = { url: string; child: ChildProcess; exited: Promise<NodeJS.Signals | number | null> };

const hasPostgres = await postgresUp();

describe('live: the origin killed and restarted mid-broadcast (PostgreSQL)', { skip: hasPostgres ? false : 'needs PostgreSQL at TEST_DATABASE_URL' }, () => {
  const dbName = `spherecast_live_fault_${randomBytes(5).toString('hex')}`;
  let dbUrl: string;
  let dataDir: string;
  let port: number;
  let running: Running | null = null;
  let cli: LiveCli | null = null;

  const start = async (): Promise<Running> => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        DATABASE_URL: dbUrl,
        DATA_DIR: dataDir,
        SEED_DEMO: 'false',
        LOG_LEVEL: 'error',
        LIVE_GRACE_SECONDS: '60',
        SPHERECAST_TEST_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the origin did not start within 60 s')), 60_000);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /LISTENING (\S+)/.exec(out);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      void exited.then((how) => reject(new Error(`the origin exited (${String(how)}) before listening`)));
    });
    running = { url, child, exited };
    return running;
  };

  before(async () => {
    const admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(SERVER_URL);
    url.pathname = `/${dbName}`;
    dbUrl = url.href;
    dataDir = await mkdtemp(path.join(tmpdir(), 'spherecast-live-fault-'));
    port = await freePort();
  });

  after(async () => {
    cli?.kill();
    if (running) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
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
    origin.child.kill('SIGKILL');
    assert.equal(await origin.exited, 'SIGKILL');
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
