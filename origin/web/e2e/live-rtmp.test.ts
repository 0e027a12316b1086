// Live over RTMP end to end: ffmpeg (as OBS would) publishes to the origin's RTMP ingest
// (node-media-server, started here with `rtmp: true` on a free port); the origin's transcoder turns it
// into the live ladder, and a Chromium page plays it on the watch page with the LIVE badge.
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launchChromium, readOverlay, sleep } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { rtmpTestBroadcastArgs } from '../../src/test-support/rtmp-broadcast.ts';
import { startStack, type Stack } from './support/stack.ts';

describe('live: ffmpeg over RTMP -> origin transcoder -> a watch page', () => {
  let stack: Stack;
  let browser: Browser;
  let encoder: ChildProcess | null = null;
  let encoderLog = '';

  before(async () => {
    await buildPlayerApp();
    // One small rung keeps the real-time transcode light on a shared machine.
    stack = await startStack({ rtmp: true, rtmpPort: 0, liveRtmpRungs: [{ width: 512, height: 256 }], liveRtmpPreset: 'ultrafast' });
    browser = await launchChromium();
  });

  after(async () => {
    if (encoder && encoder.exitCode === null) encoder.kill('SIGKILL');
    await browser?.close();
    await stack?.close();
  });

  test('a page plays what ffmpeg publishes over RTMP, with the LIVE badge and its clock advancing', async () => {
    const { token } = await stack.register('rtmp_caster');
    const channel = await stack.http<{ id: string; rtmpUrl: string }>('POST', '/api/live/channels', { title: 'RTMP harbour', tags: ['live'] }, token);
    assert.match(channel.rtmpUrl, new RegExp(`^rtmp://127\\.0\\.0\\.1:${stack.origin.config.rtmpPort}/live/`));

    encoder = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...rtmpTestBroadcastArgs(channel.rtmpUrl, { seconds: 90, size: '512x256' })], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    encoder.stderr?.on('data', (chunk: Buffer) => (encoderLog = (encoderLog + chunk.toString()).slice(-4000)));

    const deadline = Date.now() + 30_000;
    let status = { status: 'idle', contentId: '' };
    while (status.status !== 'live') {
      assert.ok(Date.now() < deadline, `the RTMP publish never went on air (${status.status}); ffmpeg: ${encoderLog}`);
      await sleep(500);
      status = await stack.http('GET', `/api/live/channels/${channel.id}`, undefined, token);
    }

    const context = await browser.newContext({ viewport: { width: 640, height: 480 } });
    const page = await context.newPage();
    await page.goto(`${stack.url}/watch/${status.contentId}`);
    await page.waitForSelector('[data-testid="live-badge"]', { timeout: 30_000 });
    const start = await readOverlay(page);
    let now = start;
    const playing = Date.now() + 30_000;
    while (now.currentTime < start.currentTime + 2) {
      assert.ok(Date.now() < playing, `the page is not playing: ${JSON.stringify(now)}; ffmpeg: ${encoderLog}`);
      await sleep(500);
      now = await readOverlay(page);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'live-rtmp-viewer.png') });
    const latency = Number(await page.getAttribute('[data-testid="p2p-stats"]', 'data-latency-seconds'));
    assert.ok(latency > 0 && latency < 30, `latency ${latency} s from the RTMP publish is not sane`);
    assert.ok(now.httpBytes > 0, 'the page fetched the transcoded segments');
    assert.equal(await page.locator('[data-testid="live-badge"]').count(), 1, 'the LIVE badge stays while playing');
    console.log(`rtmp viewer: ${JSON.stringify({ latency, currentTime: now.currentTime, httpBytes: now.httpBytes })}`);
    await context.close();
    assert.equal(encoder.exitCode, null, `ffmpeg stopped publishing early: ${encoderLog}`);
  });
});
