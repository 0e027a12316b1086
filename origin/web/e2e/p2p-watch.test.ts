// The watch page end to end: a real origin (PGlite) and tracker started here, a real HLS ladder
// published over the REST API, several Chromium pages watching the same stream.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { corruptSegments } from '../../src/test-support/corrupt-peer.ts';
import { ARTIFACTS, launchChromium, readOverlay, sleep, type OverlayStats } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { makeTestLadder } from './support/ladder.ts';
import { startStack, type Stack } from './support/stack.ts';

const CLIP_SECONDS = 24;

describe('watch page: P2P between viewers', () => {
  let stack: Stack;
  let browser: Browser;
  let contentId: string;
  const contexts: BrowserContext[] = [];

  before(async () => {
    await buildPlayerApp();
    stack = await startStack();
    const ladder = await makeTestLadder(path.join(stack.workDir, 'ladder-work'), CLIP_SECONDS);
    const { token } = await stack.register('p2p_creator');
    contentId = await stack.publish(token, ladder.dir, { title: 'Harbour at noon', tags: ['harbour'], durationSeconds: CLIP_SECONDS });
    browser = await launchChromium();
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await stack?.close();
  });

  /** A viewer in its own browser context (own cookies and storage, so its own peer id). */
  async function openViewer(query = '', prepare?: (page: Page) => Promise<void>): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 640, height: 480 } });
    contexts.push(context);
    const page = await context.newPage();
    await prepare?.(page);
    await page.goto(`${stack.url}/watch/${contentId}${query}`);
    await page.waitForSelector('[data-testid="p2p-stats"]');
    return page;
  }

  async function waitFor(page: Page, what: string, ok: (s: OverlayStats) => boolean, timeoutMs: number): Promise<OverlayStats> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await readOverlay(page);
      if (ok(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s)}`);
      await sleep(300);
    }
  }

  test('later viewers get segments from earlier ones (bytes from peers, read from the overlay)', async () => {
    const pages: Page[] = [];
    for (let i = 0; i < 3; i += 1) {
      pages.push(await openViewer());
      await sleep(3000);
    }
    const last = pages.at(-1);
    assert.ok(last);
    await waitFor(last, 'third viewer at 12 s', (s) => s.currentTime >= 12, 45_000);
    // No ICE servers on one machine: the overlay counts the viewers' connections as direct (host candidates).
    await waitFor(last, 'a direct peer connection in the overlay', (s) => s.direct > 0, 10_000);
    const stats = await Promise.all(pages.map(readOverlay));
    for (const [i, page] of pages.entries()) await page.screenshot({ path: path.join(ARTIFACTS, `p2p-viewer-${i + 1}.png`) });
    for (const page of pages) await page.context().close();
    assert.ok(stats[1] && stats[1].p2pBytes > 0, `second viewer got nothing from peers: ${JSON.stringify(stats)}`);
    assert.ok(stats[2] && stats[2].p2pBytes > 0, `third viewer got nothing from peers: ${JSON.stringify(stats)}`);
    for (const s of stats) assert.equal(s.reflexive + s.relayed, 0, `no NAT or relay between pages on one machine: ${JSON.stringify(s)}`);
    // Every viewer is playing or has finished the clip.
    for (const s of stats) assert.ok(s.currentTime > 5, `a viewer is not playing: ${JSON.stringify(s)}`);
  });

  test('a segment corrupted by a peer is rejected and fetched over HTTP; the victim plays to the end', async () => {
    // The seeder's "CDN" tampers with every media segment (corruptSegments: the seeder still decodes them,
    // the bytes no longer match the published SHA-256), and with ?validate=0 the seeder relays them.
    const seeder = await openViewer('?validate=0', (page) => corruptSegments(page, '**/*.m4s'));
    await sleep(3000);
    const victim = await openViewer();
    const end = await waitFor(victim, 'victim near the end', (s) => s.currentTime >= CLIP_SECONDS - 2, 60_000);
    const mediaError = await victim.evaluate(() => document.querySelector('video')?.error?.message ?? null);
    await victim.screenshot({ path: path.join(ARTIFACTS, 'p2p-victim.png') });
    await seeder.context().close();
    await victim.context().close();
    assert.ok(end.rejected > 0, `the victim never rejected a peer segment: ${JSON.stringify(end)}`);
    assert.equal(end.p2pBytes, 0, 'every peer segment was corrupted, so none may have been used');
    assert.ok(end.httpBytes > 0);
    assert.equal(mediaError, null);
  });

  test('the tracker is killed mid-playback and playback goes on without a long stall', async () => {
    const first = await openViewer();
    await sleep(2500);
    const second = await openViewer();
    await waitFor(second, 'second viewer connected to a peer', (s) => s.peers >= 1 && s.currentTime >= 2, 30_000);
    await stack.tracker.destroy();
    const killedAt = Date.now();
    const samples: { t: number; first: number; second: number }[] = [];
    while (Date.now() - killedAt < 9000) {
      const [a, b] = await Promise.all([readOverlay(first), readOverlay(second)]);
      samples.push({ t: Date.now() - killedAt, first: a.currentTime, second: b.currentTime });
      await sleep(500);
    }
    await second.screenshot({ path: path.join(ARTIFACTS, 'p2p-tracker-killed.png') });
    await first.context().close();
    await second.context().close();
    const head = samples[0];
    const tail = samples.at(-1);
    assert.ok(head && tail);
    for (const key of ['first', 'second'] as const) {
      const advanced = tail[key] - head[key];
      // Near the end of the clip a viewer may finish; otherwise ~8.5 s of playback in 8.5 s.
      const expected = Math.min(7, CLIP_SECONDS - 0.5 - head[key]);
      assert.ok(advanced >= expected, `${key} viewer advanced ${advanced.toFixed(1)} s after the tracker died: ${JSON.stringify(samples)}`);
      // No window of 2 s without progress (unless the clip ended).
      for (let i = 4; i < samples.length; i += 1) {
        const now = samples[i];
        const before = samples[i - 4];
        if (!now || !before || now[key] >= CLIP_SECONDS - 0.5) continue;
        assert.ok(now[key] > before[key], `${key} viewer stalled between ${before.t} and ${now.t} ms: ${JSON.stringify(samples)}`);
      }
    }
  });
});
