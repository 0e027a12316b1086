// `spherecast-studio live` as a user runs it, against a real HTTP ingest peer that follows the origin's contract.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { endChannel } from '../engine/live/ingest-client.ts';
import { TestIngestServer } from '../engine/live/test-ingest-server.ts';

const BIN = fileURLToPath(new URL('../../bin/spherecast-studio.mjs', import.meta.url));
// 1 s segments (not the 2 s default): the assertions count segments per second of broadcast.
const LEAN = ['--size', '256', '--fps', '10', '--widths', '256,128', '--preset', 'ultrafast', '--segment', '1'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  events: { event: string; [key: string]: unknown }[];
}

function cli(args: string[], options: { env?: NodeJS.ProcessEnv; onLine?: (line: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    // The user's own SPHERECAST_* settings must not leak into these runs.
    const env = Object.fromEntries(Object.entries({ ...process.env, ...options.env }).filter(([name]) => !name.startsWith('SPHERECAST_')));
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stdout += text;
      for (const line of text.split('\n')) if (line.trim()) options.onLine?.(line, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const events = stdout
        .split('\n')
        .filter((l) => l.startsWith('{"event"'))
        .map((l) => JSON.parse(l) as Run['events'][number]);
      resolve({ code, stdout, stderr, events });
    });
  });
}

describe('spherecast-studio live', () => {
  let dir: string;
  let ingest: TestIngestServer;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-live-cli-'));
    ingest = new TestIngestServer({ dir: path.join(dir, 'ingest') });
    await ingest.start();
  });
  after(async () => {
    await ingest?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('--duration 6 opens a channel, delivers every segment and ends the channel (exit 0)', async () => {
    const run = await cli(['live', '--source', 'test', '--origin', ingest.url, '--token', ingest.creatorToken, '--duration', '6', '--json', ...LEAN]);
    assert.equal(run.code, 0, run.stderr);
    const channel = run.events.find((e) => e.event === 'channel') as { id: string; streamKey: string } | undefined;
    assert.ok(channel?.streamKey, 'the new channel and its key are printed once');
    const ended = run.events.at(-1) as { event: string; channelEnded: boolean; uploadedSegments: number; rungs: string[] };
    assert.equal(ended.event, 'ended');
    assert.equal(ended.channelEnded, true);
    assert.equal(ingest.channel(channel.id)?.status, 'ended');
    assert.deepEqual(ended.rungs, ['256x128', '128x64']);
    let total = 0;
    for (const rung of [...ended.rungs, 'audio']) {
      const numbers = ingest.segmentsOf(channel.id, rung);
      total += numbers.length;
      assert.deepEqual(numbers.slice(0, 6), [0, 1, 2, 3, 4, 5], `${rung}: 6 s in 1 s segments, in order`);
    }
    assert.equal(ended.uploadedSegments, total, 'every segment written was delivered');
    assert.ok(run.events.some((e) => e.event === 'state' && e.state === 'live'));
    assert.ok(run.events.some((e) => e.event === 'health' && typeof e.outputBitrate === 'number'));
  });

  test('a wrong stream key is a clear 401 error (exit 4); an ended channel a clear 409 (exit 4)', async () => {
    const open = ingest.openChannel();
    const wrong = await cli(['live', '--origin', ingest.url, '--key', 'nope', '--channel', open.id, '--duration', '20', ...LEAN]);
    assert.equal(wrong.code, 4, wrong.stderr);
    assert.match(wrong.stderr, /refused the stream key.*HTTP 401.*Check --key/);
    // --json: every stdout line is one JSON object, the error too (it was pretty-printed: a lone '{' line).
    const wrongJson = await cli(['live', '--origin', ingest.url, '--key', 'nope', '--channel', open.id, '--duration', '20', '--json', ...LEAN]);
    assert.equal(wrongJson.code, 4, wrongJson.stderr);
    const lines = wrongJson.stdout.split('\n').filter((l) => l.trim());
    for (const l of lines) assert.equal(typeof JSON.parse(l), 'object', `one JSON object per line: ${l}`);
    assert.equal((JSON.parse(lines.at(-1)!) as { error: { status: number } }).error.status, 401);

    const closed = ingest.openChannel();
    await endChannel(ingest.url, ingest.creatorToken, closed.id);
    const late = await cli(['live', '--origin', ingest.url, '--key', closed.streamKey, '--channel', closed.id, '--duration', '20', ...LEAN]);
    assert.equal(late.code, 4, late.stderr);
    assert.match(late.stderr, /HTTP 409.*ended/);
  });

  test('Ctrl-C ends the broadcast cleanly: the last segments are delivered, the channel ended, exit 130', async () => {
    let interrupted = false;
    const run = await cli(['live', '--origin', ingest.url, '--token', ingest.creatorToken, '--duration', '120', '--json', ...LEAN], {
      onLine: (line, child) => {
        if (!interrupted && line.includes('"state":"live"')) {
          interrupted = true;
          setTimeout(() => child.kill('SIGINT'), 1500);
        }
      },
    });
    assert.equal(run.code, 130, run.stderr);
    const channel = run.events.find((e) => e.event === 'channel') as { id: string } | undefined;
    assert.ok(channel);
    const ended = run.events.at(-1) as { event: string; channelEnded: boolean; uploadedSegments: number };
    assert.equal(ended.event, 'ended');
    assert.equal(ended.channelEnded, true);
    assert.equal(ingest.channel(channel.id)?.status, 'ended');
    const numbers = ingest.segmentsOf(channel.id, '256x128');
    assert.ok(numbers.length >= 2);
    assert.deepEqual(
      numbers,
      numbers.map((_, i) => i),
      'no segment missing',
    );
  });

  test('--list-devices says when there is none; missing credentials are a usage error (2)', async () => {
    const list = await cli(['live', '--list-devices']);
    assert.equal(list.code, 0, list.stderr);
    if (!/\/dev\/video\d/.test(list.stdout)) assert.match(list.stdout, /no capture devices/);
    // A capture device that is not there: the sentence says so and what the machine has instead (exit 3).
    const open = ingest.openChannel();
    const missing = await cli(['live', '--source', '/dev/video97', '--origin', ingest.url, '--key', open.streamKey, '--channel', open.id, '--json']);
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /There is no capture device \/dev\/video97\. This machine has (no video capture device|: \/dev\/video\d)/);
    assert.equal((JSON.parse(missing.stdout.trim()) as { error: { code: string } }).error.code, 'INPUT_NOT_FOUND');
    const usage = await cli(['live', '--origin', ingest.url]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--key KEY with --channel ID, or --token/);
    const noChannel = await cli(['live', '--origin', ingest.url, '--key', 'k']);
    assert.equal(noChannel.code, 2);
    assert.match(noChannel.stderr, /--key needs --channel/);
  });
});
