// First use, as issue #8 "Operators and first use" describes it: a signed-out visit is clean (no
// 4xx, no console error), announcements reach viewers on every page (over the video too), and the
// watch page works on a phone (360 px wide, touch).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { ARTIFACTS, launchChromium } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { makeTestLadder } from './support/ladder.ts';
import { startStack, type Stack } from './support/stack.ts';

const CLIP_SECONDS = 12;
const ANNOUNCEMENT = { title: 'Scheduled maintenance', body: 'Uploads pause on Sunday night from 22:00 to 23:00 UTC.' };

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (inner: Box, outer: Box): boolean =>
  inner.x >= outer.x - 0.5 &&
  inner.y >= outer.y - 0.5 &&
  inner.x + inner.width <= outer.x + outer.width + 0.5 &&
  inner.y + inner.height <= outer.y + outer.height + 0.5;
const show = (b: Box | null): string => (b ? `${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}x${Math.round(b.height)}` : 'none');

async function box(page: Page, selector: string): Promise<Box> {
  const found = await page.locator(selector).first().boundingBox();
  assert.ok(found, `${selector} has no box (not rendered)`);
  return found;
}

/**
 * Every failed request of a page and every console error, as sentences for assertions. tRPC batches
 * several calls in one request and answers 207 when some of them failed, so the calls inside each
 * /trpc answer are checked one by one.
 */
function recordProblems(page: Page): { problems: string[]; settled: () => Promise<void>; quiet: () => Promise<void> } {
  const problems: string[] = [];
  const reading: Promise<void>[] = [];
  // Requests still waiting for their answer, but not the real-time event stream, which stays open for
  // the page's whole life (so Playwright's 'networkidle' never comes).
  const inFlight = new Set<Request>();
  const isStream = (request: Request) => request.resourceType() === 'eventsource' || request.headers().accept === 'text/event-stream';
  page.on('request', (request) => {
    if (!isStream(request)) inFlight.add(request);
  });
  page.on('requestfinished', (request) => inFlight.delete(request));
  page.on('requestfailed', (request) => inFlight.delete(request));
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (response.status() >= 400) problems.push(`${response.status()} ${response.request().method()} ${url.pathname}`);
    if (!url.pathname.startsWith('/trpc/') || isStream(response.request()) || response.headers()['content-type']?.startsWith('text/event-stream')) return;
    const procedures = decodeURIComponent(url.pathname.slice('/trpc/'.length)).split(',');
    reading.push(
      response.json().then(
        (body: unknown) => {
          for (const [i, item] of (Array.isArray(body) ? body : [body]).entries()) {
            const error = (item as { error?: { json?: { data?: { httpStatus?: number } }; data?: { httpStatus?: number } } }).error;
            if (error) problems.push(`tRPC ${procedures[i] ?? '?'} answered ${error.json?.data?.httpStatus ?? error.data?.httpStatus ?? 'an error'}`);
          }
        },
        () => undefined,
      ),
    );
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  /** Waits until no request (but the event stream) has been waiting for 500 ms. */
  const quiet = async () => {
    const deadline = Date.now() + 30_000;
    let quietSince = Date.now();
    while (Date.now() - quietSince < 500) {
      if (Date.now() > deadline) throw new Error(`requests still open after 30 s: ${[...inFlight].map((r) => r.url()).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (inFlight.size > 0) quietSince = Date.now();
    }
  };
  return { problems, settled: async () => void (await Promise.all(reading)), quiet };
}

describe('first use', () => {
  let stack: Stack;
  let browser: Browser;
  let videoId: string;
  const contexts: BrowserContext[] = [];

  before(async () => {
    await buildPlayerApp();
    stack = await startStack();
    const ladder = await makeTestLadder(path.join(stack.workDir, 'ladder-work'), CLIP_SECONDS);
    const creator = await stack.register('lena', 'creator');
    videoId = await stack.publish(creator.token, ladder.dir, { title: 'Lighthouse at dusk', tags: ['coast'], durationSeconds: CLIP_SECONDS });
    const admin = await stack.registerAdmin('operator');
    await stack.http(
      'POST',
      '/api/announcements',
      { ...ANNOUNCEMENT, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString() },
      admin.token,
    );
    browser = await launchChromium();
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await stack?.close();
  });

  async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, ...options });
    contexts.push(context);
    return context.newPage();
  }

  test('a signed-out visit (home, then sign-in) answers no 4xx/5xx and logs no console error', async () => {
    const page = await newPage();
    const { problems, settled, quiet } = recordProblems(page);
    await page.goto(`${stack.url}/`);
    // "Sign in" shows once the session check has answered.
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'Lighthouse at dusk' }).first().waitFor();
    await page.getByText(ANNOUNCEMENT.title).waitFor();
    await quiet();
    // A page whose only call is the session check.
    await page.goto(`${stack.url}/signin`);
    await page.getByRole('link', { name: 'Register' }).first().waitFor();
    await quiet();
    await settled();
    assert.deepEqual(problems, []);
  });

  test('an announcement by an admin shows on home, on search and over the watch stage, above the controls; dismissed, it stays gone', async () => {
    const page = await newPage();
    const banner = page.getByTestId('announcement').filter({ hasText: ANNOUNCEMENT.title });
    await page.goto(`${stack.url}/`);
    await banner.waitFor();
    assert.ok(await banner.getByText(ANNOUNCEMENT.body).isVisible());

    await page.goto(`${stack.url}/search?q=lighthouse`);
    await banner.waitFor();
    await page.getByRole('link', { name: 'Lighthouse at dusk' }).first().waitFor();

    await page.goto(`${stack.url}/watch/${videoId}`);
    await page.getByTestId('play-toggle').waitFor();
    const onStage = page.locator('.stage').getByTestId('announcement');
    await onStage.waitFor();
    // Over the picture instead of above the page: one announcement on screen, not two.
    assert.equal(await page.getByTestId('announcement').count(), 1);
    await page.locator('.stage').hover();
    const stage = await box(page, '.stage');
    const overlay = await box(page, '.stage [data-testid="announcement"]');
    const controls = await box(page, '.controls');
    assert.ok(inside(overlay, stage), `announcement ${show(overlay)} outside the stage ${show(stage)}`);
    assert.ok(!overlaps(overlay, controls), `announcement ${show(overlay)} covers the controls ${show(controls)}`);
    assert.ok(!overlaps(overlay, await box(page, '[data-testid="p2p-stats"]')), 'announcement covers the P2P overlay');
    await page.screenshot({ path: path.join(ARTIFACTS, 'announcement-watch.png') });

    await onStage.getByRole('button', { name: `Dismiss "${ANNOUNCEMENT.title}"` }).click();
    await onStage.waitFor({ state: 'detached' });
    await page.goto(`${stack.url}/`);
    await page.getByRole('link', { name: 'Lighthouse at dusk' }).first().waitFor();
    assert.equal(await banner.count(), 0, 'a dismissed announcement came back');
  });

  for (const width of [360, 390, 412]) {
    test(`watch page on a ${width} px phone (touch): controls clear of the P2P overlay and the announcement, quality menu on screen, time on one line, full screen reachable`, async () => {
      const height = 740;
      const page = await newPage({ viewport: { width, height }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
      await page.goto(`${stack.url}/watch/${videoId}`);
      await page.getByTestId('play-toggle').waitFor();
      await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 1, undefined, { timeout: 30_000 });
      await page.getByTestId('quality').waitFor();
      const viewport: Box = { x: 0, y: 0, width, height };
      const shot = path.join(ARTIFACTS, `phone-watch-${width}.png`);
      await page.screenshot({ path: shot });

      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scrollWidth <= width, `the page scrolls sideways: ${scrollWidth} px wide at ${width} px`);
      const stage = await box(page, '.stage');
      assert.ok(inside(stage, viewport), `stage ${show(stage)} is not fully on screen`);
      const p2p = await box(page, '[data-testid="p2p-stats"]');
      const controls = await box(page, '.controls');
      assert.ok(!overlaps(controls, p2p), `controls ${show(controls)} overlap the P2P overlay ${show(p2p)} (${shot})`);
      const announcement = await box(page, '.stage [data-testid="announcement"]');
      assert.ok(!overlaps(announcement, p2p), `announcement ${show(announcement)} overlaps the P2P overlay ${show(p2p)}`);
      assert.ok(!overlaps(announcement, controls), `announcement ${show(announcement)} covers the controls ${show(controls)}`);

      const time = await page
        .getByTestId('time')
        .evaluate((el) => ({ height: el.getBoundingClientRect().height, lineHeight: parseFloat(getComputedStyle(el).lineHeight) }));
      assert.ok(
        Number.isFinite(time.lineHeight) && Math.abs(time.height - time.lineHeight) < 1,
        `time is ${time.height} px tall, one line is ${time.lineHeight} px`,
      );

      const fullscreen = page.getByTestId('fullscreen');
      assert.ok(await fullscreen.isVisible(), 'full-screen button hidden');
      const fullscreenBox = await box(page, '[data-testid="fullscreen"]');
      assert.ok(inside(fullscreenBox, viewport) && inside(fullscreenBox, stage), `full-screen button ${show(fullscreenBox)} is off screen or off the stage`);
      for (const selector of ['[data-testid="play-toggle"]', '[data-testid="quality"]', '[data-testid="time"]']) {
        const b = await box(page, selector);
        assert.ok(inside(b, stage), `${selector} ${show(b)} is outside the stage ${show(stage)}`);
      }

      await page.getByTestId('quality').tap();
      const menu = page.getByTestId('quality-menu');
      await menu.waitFor();
      const menuBox = await box(page, '[data-testid="quality-menu"]');
      await page.screenshot({ path: path.join(ARTIFACTS, `phone-watch-${width}-quality.png`) });
      // Inside the stage too: the stage clips what leaves it.
      assert.ok(inside(menuBox, viewport) && inside(menuBox, stage), `quality menu ${show(menuBox)} leaves the screen or the stage ${show(stage)}`);
      // Nothing (the announcement, the P2P overlay) is drawn over any of its choices.
      const covered = await menu.evaluate((el) =>
        Array.from(el.querySelectorAll('[role="menuitemradio"]'))
          .filter((item) => {
            const r = item.getBoundingClientRect();
            const points = [
              [r.left + 4, r.top + 4],
              [r.right - 4, r.top + 4],
              [r.left + 4, r.bottom - 4],
              [r.right - 4, r.bottom - 4],
            ] as const;
            return points.some(([x, y]) => !item.contains(document.elementFromPoint(x, y)));
          })
          .map((item) => item.textContent),
      );
      assert.deepEqual(covered, [], 'quality choices drawn under something else');
      await menu.getByRole('menuitemradio').last().tap();
      await menu.waitFor({ state: 'detached' });
    });
  }
});
