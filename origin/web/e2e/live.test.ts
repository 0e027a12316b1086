// Live end to end: `spherecast-studio live` (a child process) pushes the test pattern to an origin
// started here (PGlite) with a tracker; the home page shows it under "Live now"; two Chromium pages
// watch it with P2P at a few seconds of latency; one goes back in the DVR window and jumps to live
// again; the creator stops (Ctrl-C ends the channel) and the open pages switch to the recording,
// which is a VOD with EXT-X-ENDLIST.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium, readOverlay, sleep } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { LEAN_LIVE, LiveCli } from './support/live-cli.ts';
import { startStack, type Stack } from './support/stack.ts';

type LiveView = { badge: boolean; latency: number | null; currentTime: number; p2pBytes: number; httpBytes: number; hashLists: string[] };

/** The overlay, the LIVE badge and which segment hash lists the page fetched. */
async function readLive(page: Page): Promise<LiveView> {
  const overlay = await readOverlay(page);
  const extra = await page.evaluate(() => {
    const latency = document.querySelector('[data-testid="p2p-stats"]')?.getAttribute('data-latency-seconds');
    return {
      badge: document.querySelector('[data-testid="live-badge"]') !== null,
      latency: latency ? Number(latency) : null,
      hashLists: performance
        .getEntriesByType('resource')
        .map((e) => new URL(e.name).pathname)
        .filter((p) => p.endsWith('hashes.json')),
    };
  });
  return { ...extra, currentTime: overlay.currentTime, p2pBytes: overlay.p2pBytes, httpBytes: overlay.httpBytes };
}

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(500);
  }
}

describe('live: studio CLI -> origin -> two P2P viewers -> recording', () => {
  let stack: Stack;
  let browser: Browser;
  let cli: LiveCli | null = null;
  const contexts: BrowserContext[] = [];

  before(async () => {
    await buildPlayerApp();
    stack = await startStack();
    browser = await launchChromium();
  });

  after(async () => {
    cli?.kill();
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await stack?.close();
  });

  async function openPage(pathname: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 640, height: 480 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${stack.url}${pathname}`);
    return page;
  }

  test('two viewers play the broadcast with P2P, see LIVE and the latency, seek back in the DVR window and jump to live, then switch to the recording', async () => {
    const { token } = await stack.register('live_caster');
    cli = new LiveCli([
      '--source',
      'test',
      '--origin',
      stack.url,
      '--token',
      token,
      '--title',
      'Harbour live',
      '--duration',
      '120',
      '--segment',
      '1',
      ...LEAN_LIVE,
    ]);
    const channel = { id: String((await cli.waitFor((e) => e.event === 'channel', 30_000)).id) };
    const status = await until(
      'the channel on air',
      () => stack.http<{ status: string; contentId: string }>('GET', `/api/live/channels/${channel.id}`, undefined, token),
      (s) => s.status === 'live',
      60_000,
    );
    const contentId = status.contentId;
    const onAir = Date.now();

    // Home: a "Live now" shelf with the broadcast.
    const home = await openPage('/');
    const shelf = home.locator('section.shelf', { has: home.getByRole('heading', { name: 'Live now' }) });
    await shelf.locator(`a[href="/watch/${contentId}"]`).first().waitFor({ timeout: 15_000 });
    await home.context().close();

    // Two viewers, the second a few seconds later (the first has segments to share by then). They join
    // a broadcast 15 s old, so one that started at the beginning of the DVR window instead of the live
    // edge would be 15 s or more behind.
    await sleep(Math.max(0, 15_000 - (Date.now() - onAir)));
    const first = await openPage(`/watch/${contentId}`);
    await sleep(3000);
    const second = await openPage(`/watch/${contentId}`);
    const pages = [first, second];
    for (const page of pages) await page.waitForSelector('[data-testid="live-badge"]', { timeout: 30_000 });
    const starts = await Promise.all(pages.map(readLive));
    await until(
      'bytes from a peer, both playing with a latency',
      () => Promise.all(pages.map(readLive)),
      (views) => views.some((v) => v.p2pBytes > 0) && views.every((v, i) => v.latency !== null && v.currentTime > (starts[i]?.currentTime ?? 0) + 1),
      45_000,
    );
    const views = await Promise.all(pages.map(readLive));
    for (const [i, page] of pages.entries()) await page.screenshot({ path: path.join(ARTIFACTS, `live-viewer-${i + 1}.png`) });
    for (const [i, v] of views.entries()) {
      assert.ok(v.currentTime > (starts[i]?.currentTime ?? 0), `viewer ${i + 1} is not playing: ${JSON.stringify(v)}`);
      assert.ok(v.badge, `viewer ${i + 1} shows no LIVE badge`);
      assert.ok(v.latency !== null && v.latency > 0 && v.latency < 12, `viewer ${i + 1} latency ${v.latency} s: not at the live edge`);
      assert.ok(
        v.hashLists.some((p) => p.endsWith('/live-hashes.json')),
        `viewer ${i + 1} did not load the live hash list`,
      );
    }
    console.log(`live viewers: ${JSON.stringify(views.map(({ latency, p2pBytes, httpBytes }) => ({ latency, p2pBytes, httpBytes })))}`);

    // DVR: the first viewer drags the slider a few seconds back; the latency grows and "Jump to live"
    // appears; pressing it brings the latency back near the edge.
    const atEdge = (await readLive(first)).latency ?? 0;
    const dvr = first.getByTestId('live-dvr');
    const min = Number(await dvr.getAttribute('min'));
    const back = Math.max(min, Math.round((await readLive(first)).currentTime) - 6);
    await dvr.fill(String(back));
    const behind = await until(
      'the latency to grow after seeking back',
      () => readLive(first),
      (v) => v.latency !== null && v.latency > atEdge + 3,
      15_000,
    );
    const jump = first.getByTestId('jump-to-live');
    await jump.waitFor({ timeout: 5000 });
    assert.equal(await first.getByTestId('live-badge').getAttribute('data-at-edge'), 'false');
    await jump.click();
    const rejoined = await until(
      'the latency to shrink after jump to live',
      () => readLive(first),
      (v) => v.latency !== null && v.latency < (behind.latency ?? 0) - 3,
      15_000,
    );
    await first.getByTestId('jump-to-live').waitFor({ state: 'detached', timeout: 5000 });
    console.log(`DVR: at the edge ${atEdge} s, after seeking back ${behind.latency} s, after jump to live ${rejoined.latency} s`);

    // The creator stops: Ctrl-C ends the channel (exit 130); the pages switch to the recording.
    cli.interrupt();
    assert.equal(await cli.exited, 130, cli.stderr.slice(-2000));
    const ended = await stack.http<{ status: string }>('GET', `/api/live/channels/${channel.id}`, undefined, token);
    assert.equal(ended.status, 'ended');
    for (const [i, page] of pages.entries()) {
      const switched = await until(
        `viewer ${i + 1} on the recording`,
        () => readLive(page),
        (v) => !v.badge && v.hashLists.some((p) => p.endsWith('/hashes.json') && !p.endsWith('live-hashes.json')),
        30_000,
      );
      assert.equal(switched.latency, null, 'no latency once it is a recording');
      // It plays on from where the viewer was (a few seconds before the end) to the end of the recording.
      const before = switched.currentTime;
      await until(
        `viewer ${i + 1} playing the recording`,
        () => page.evaluate(() => ({ t: document.querySelector('video')?.currentTime ?? 0, ended: document.querySelector('video')?.ended ?? false })),
        (v) => v.t > before + 0.5 || v.ended,
        20_000,
      );
    }

    // The recording is a VOD: every rung's playlist ends with EXT-X-ENDLIST.
    const playback = await stack.http<{ masterUrl: string; live: boolean }>('GET', `/api/streaming/${contentId}`);
    assert.equal(playback.live, false);
    const masterUrl = new URL(playback.masterUrl, stack.url);
    const master = await (await fetch(masterUrl)).text();
    const rungs = master.split('\n').filter((l) => l.endsWith('.m3u8'));
    assert.ok(rungs.length >= 1, master);
    for (const rung of rungs) {
      const playlist = await (await fetch(new URL(rung, masterUrl))).text();
      assert.match(playlist, /#EXT-X-PLAYLIST-TYPE:VOD/);
      assert.match(playlist.trimEnd(), /#EXT-X-ENDLIST$/);
    }
  });
});
