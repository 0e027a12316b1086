// End to end: `spherecast-studio live --login` against the real origin (createOrigin on embedded PGlite).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createOrigin, type Origin } from '@spherecast/origin';
import { createOriginClient } from '@spherecast/origin/client';
import { channelStatus } from '../engine/live/ingest-client.ts';

const BIN = fileURLToPath(new URL('../../bin/spherecast-studio.mjs', import.meta.url));

describe('spherecast-studio live against the real origin', () => {
  let dir: string;
  let origin: Origin;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-live-origin-'));
    origin = await createOrigin({
      port: 0,
      host: '127.0.0.1',
      dataDir: path.join(dir, 'origin'),
      databaseUrl: undefined,
      seedDemo: false,
      trackerUrl: 'ws://127.0.0.1:1/tracker',
    });
    await createOriginClient({ baseUrl: origin.url }).api.auth.register.mutate({ username: 'caster', email: 'caster@example.test', password: 'correct horse' });
  });
  after(async () => {
    await origin?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('--login opens a channel, pushes 4 s of the test pattern and ends it: the origin has it ended', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SPHERECAST_')));
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          BIN,
          'live',
          '--origin',
          origin.url,
          '--login',
          'caster',
          '--title',
          'Studio e2e',
          '--duration',
          '4',
          '--json',
          '--size',
          '256',
          '--fps',
          '10',
          '--widths',
          '256,128',
          '--preset',
          'ultrafast',
          '--segment',
          '1',
        ],
        { env: { ...env, SPHERECAST_PASSWORD: 'correct horse' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(run.code, 0, run.stderr + run.stdout.slice(-2000));
    const events = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event: string; id?: string; channelEnded?: boolean; uploadedSegments?: number; rungs?: string[] });
    const channel = events.find((e) => e.event === 'channel');
    const ended = events.at(-1);
    const account = `${run.stderr}\n${events
      .filter((e) => e.event !== 'health')
      .map((e) => JSON.stringify(e))
      .join('\n')}`;
    assert.ok(channel?.id, account);
    assert.equal(ended?.event, 'ended', account);
    assert.equal(ended.channelEnded, true, account);
    // Every rendition the trial kept (on a loaded machine it may keep one rung), and audio: 4 s in 1 s
    // segments each, the last one maybe shorter.
    const renditions = (ended.rungs?.length ?? 0) + 1;
    assert.ok(renditions >= 2, account);
    assert.ok((ended.uploadedSegments ?? 0) >= 4 * renditions, `4 s of ${renditions} renditions delivered (${ended.uploadedSegments})\n${account}`);
    const status = await channelStatus(origin.url, channel.id);
    assert.equal(status.status, 'ended', account);
  });
});
