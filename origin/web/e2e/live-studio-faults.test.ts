// The studio's own faults, with real processes: `spherecast-studio live` (a child process) pushes to
// an origin started here through a TCP relay the test can cut. (1) The CLI's ffmpeg is SIGKILLed
// mid-broadcast: the studio starts it again, the broadcast goes on on the same channel with
// EXT-X-DISCONTINUITY and increasing segment numbers, and nothing published is rewritten. (2) With the
// relay cut, segments queue in the spool and the CLI itself is SIGKILLed; going live again on the same
// channel within the grace period delivers what it left, oldest first, and the recording has every
// delivered segment.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { sleep } from './support/browser.ts';
import { ffmpegPidsWriting } from '@spherecast/shared/testing/processes';
import { LEAN_LIVE, LiveCli } from './support/live-cli.ts';
import { startStack, type Stack } from './support/stack.ts';

/** A TCP relay to the origin that the test can cut (every connection dropped, new ones refused) and restore. */
class Relay {
  readonly #sockets = new Set<net.Socket>();
  readonly #server: net.Server;
  #down = false;

  constructor(targetPort: number) {
    this.#server = net.createServer((client) => {
      if (this.#down) return void client.destroy();
      const upstream = net.connect(targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
  }

  cut(): void {
    this.#down = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.#down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

const numbersIn = (playlist: string): number[] => [...playlist.matchAll(/seg_(\d+)\.m4s/g)].map((m) => Number(m[1]));
const sha256 = (bytes: ArrayBuffer): string => createHash('sha256').update(Buffer.from(bytes)).digest('hex');

/** `rung/seg_N.m4s` of every segment waiting in a spool folder. */
async function spooled(spool: string): Promise<string[]> {
  const left: string[] = [];
  for (const entry of await readdir(spool, { recursive: true })) {
    const match = /^run-\d+[/\\]([^/\\]+)[/\\](seg_\d+\.m4s)$/.exec(entry);
    if (match) left.push(`${match[1]}/${match[2]}`);
  }
  return left;
}

describe('live: the studio encoder crashes, then the studio is killed and resumed', { skip: process.platform === 'linux' ? false : 'reads /proc' }, () => {
  let stack: Stack;
  let relay: Relay;
  let relayUrl: string;
  const clis: LiveCli[] = [];

  before(async () => {
    stack = await startStack();
    relay = new Relay(Number(new URL(stack.url).port));
    relayUrl = await relay.listen();
  });

  after(async () => {
    for (const cli of clis) cli.kill();
    await relay?.close();
    await stack?.close();
  });

  test('ffmpeg SIGKILLed: restarted, same channel, DISCONTINUITY, numbers increase; CLI SIGKILLed with a queue: resumed, the spool delivered, no gap', async () => {
    const { token } = await stack.register('fault_studio');
    const channel = await stack.http<{ id: string; streamKey: string }>(
      'POST',
      '/api/live/channels',
      { title: 'Crash and resume', projection: 'equirectangular-mono' },
      token,
    );
    const spool = path.join(stack.workDir, 'spool');
    const args = [
      '--source',
      'test',
      '--origin',
      relayUrl,
      '--key',
      channel.streamKey,
      '--channel',
      channel.id,
      '--spool',
      spool,
      '--segment',
      '1',
      ...LEAN_LIVE,
    ];
    const health = (cli: LiveCli) =>
      cli.events.filter((e) => e.event === 'health') as unknown as { uploadedSegments: number; queueDepth: number; encoderRestarts: number }[];

    // (1) The encoder dies mid-broadcast.
    const first = new LiveCli(args);
    clis.push(first);
    await first.waitFor((e) => e.event === 'health' && (e.uploadedSegments as number) >= 4, 60_000);
    const { contentId } = await stack.http<{ contentId: string }>('GET', `/api/live/channels/${channel.id}`);
    const playback = await stack.http<{ masterUrl: string }>('GET', `/api/streaming/${contentId}`);
    const masterUrl = new URL(playback.masterUrl, stack.url);
    const recordingUrl = new URL('256x128/recording.m3u8', masterUrl);
    const seg0 = new URL('256x128/seg_0.m4s', masterUrl);
    const seg0Before = sha256(await (await fetch(seg0)).arrayBuffer());

    const encoders = ffmpegPidsWriting(spool);
    assert.equal(encoders.length, 1, 'one live ffmpeg writes the spool');
    process.kill(encoders[0]!, 'SIGKILL');
    const restart = await first.waitFor((e) => e.event === 'encoder-restarted', 30_000);
    const startNumber = restart.startNumber as number;
    await first.waitFor((e) => e.event === 'health' && (e.encoderRestarts as number) === 1, 10_000);
    const deadline = Date.now() + 30_000;
    let recording = await (await fetch(recordingUrl)).text();
    while (!numbersIn(recording).includes(startNumber + 2) && Date.now() < deadline) {
      await sleep(500);
      recording = await (await fetch(recordingUrl)).text();
    }
    const afterCrash = numbersIn(recording);
    assert.ok(afterCrash.includes(startNumber + 2), `the broadcast went on after the restart: ${afterCrash.join(',')}`);
    assert.deepEqual(
      afterCrash,
      [...new Set(afterCrash)].sort((a, b) => a - b),
      'numbers keep increasing',
    );
    assert.match(recording, /#EXT-X-DISCONTINUITY\n(#EXT-X-PROGRAM-DATE-TIME:[^\n]+\n)?#EXTINF:[^\n]+\nseg_\d+\.m4s/);
    assert.equal((await stack.http<{ status: string }>('GET', `/api/live/channels/${channel.id}`)).status, 'live', 'the same channel stays on air');
    assert.ok(!ffmpegPidsWriting(path.join(spool, 'run-0')).length, 'the killed encoder is gone');

    // (2) The origin becomes unreachable, segments queue on disk, and the studio is killed.
    relay.cut();
    await first.waitFor((e) => e.event === 'health' && (e.queueDepth as number) >= 4, 30_000);
    const deliveredByFirst = Math.max(...health(first).map((h) => h.uploadedSegments));
    first.kill();
    await first.exited;
    const orphanDeadline = Date.now() + 10_000;
    while (ffmpegPidsWriting(spool).length > 0 && Date.now() < orphanDeadline) await sleep(200);
    assert.deepEqual(ffmpegPidsWriting(spool), [], "the killed studio's encoder stops with it");
    const left = await spooled(spool);
    assert.ok(left.length >= 4, `segments waiting in the spool: ${left.join(', ')}`);

    // Live again on the same channel, within the grace period: what was left goes first.
    relay.restore();
    const second = new LiveCli([...args, '--duration', '4']);
    clis.push(second);
    assert.equal(await second.exited, 0, second.stderr.slice(-2000));
    const ended = second.events.at(-1) as { event: string; resumedSegments: number; uploadedSegments: number };
    assert.equal(ended.event, 'ended');
    assert.equal(ended.resumedSegments, left.length, 'every segment left in the spool was taken up');
    await assert.rejects(readdir(spool), { code: 'ENOENT' }, 'the spool is gone after the clean end');
    await stack.http('POST', `/api/live/channels/${channel.id}/end`, {}, token);

    // The recording: every rung increasing, every spooled segment in it, no number skipped, two discontinuities.
    const union = new Set<number>();
    let recorded = 0;
    for (const rung of ['256x128', 'audio']) {
      const vod = await (await fetch(new URL(`${rung}/recording.m3u8`, masterUrl))).text();
      assert.match(vod.trimEnd(), /#EXT-X-ENDLIST$/);
      const numbers = numbersIn(vod);
      recorded += numbers.length;
      assert.deepEqual(
        numbers,
        [...new Set(numbers)].sort((a, b) => a - b),
        `${rung}: increasing`,
      );
      for (const n of numbers) union.add(n);
      for (const name of left.filter((l) => l.startsWith(`${rung}/`))) assert.ok(numbers.includes(numbersIn(name)[0]!), `${name} was delivered on resume`);
      assert.ok((vod.match(/#EXT-X-DISCONTINUITY/g) ?? []).length >= 2, `${rung}: a discontinuity at the encoder restart and at the resume`);
    }
    const all = [...union].sort((a, b) => a - b);
    assert.deepEqual(
      all,
      all.map((_, i) => i),
      'no segment number skipped',
    );
    assert.equal(sha256(await (await fetch(seg0)).arrayBuffer()), seg0Before, 'a segment published before the faults is unchanged');
    console.log(
      `live studio faults: restart from seg_${startNumber}; ${left.length} segments left by the killed studio, resumed; ${recorded} segments recorded (${deliveredByFirst} + ${ended.uploadedSegments} delivered by the two runs)`,
    );
  });
});
