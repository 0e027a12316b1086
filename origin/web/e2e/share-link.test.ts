// Sharing (#15) in Chromium: a shared link with t, yaw and pitch opens the video at that moment,
// looking that way; the share button copies a link to where the viewer is (Linux Chromium has no Web
// Share API, so the copy fallback is what runs) and announces it; that link opens there again. The
// link previews a crawler reads from the same pages are parsed with the browser's own HTML parser.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { makeTestLadder } from './support/ladder.ts';
import { startStack, type Stack } from './support/stack.ts';
import { axeViolations, describeViolations } from '@spherecast/shared/testing/axe';

const DEADLINE_MS = 30_000;

describe('sharing a moment and a direction', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let contentId: string;
  let destinationId: string;

  before(async () => {
    await buildPlayerApp();
    stack = await startStack();
    const ladder = await makeTestLadder(path.join(stack.workDir, 'ladder-work'), 10, 384);
    const { token } = await stack.register('share_creator');
    contentId = await stack.publish(token, ladder.dir, {
      title: 'Miradouro <da> Graça',
      description: 'Sunset over Lisbon',
      durationSeconds: ladder.seconds,
      location: { placeName: 'Lisbon', latitude: 38.716, longitude: -9.131 },
    });
    const destination = await stack.http<{ id: string }>(
      'POST',
      '/api/destinations',
      { name: 'Lisbon', country: 'Portugal', latitude: 38.7223, longitude: -9.1393, tags: ['rooftops'], coverContentId: contentId },
      token,
    );
    destinationId = destination.id;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 800, height: 600 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.url });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  /**
   * Opens a link and waits until the video has played and the renderer's view is on the stage. Where
   * playback started is read from the video's played ranges, whatever it played since.
   */
  async function open(link: string): Promise<{ page: Page; startedAt: number; yaw: number; pitch: number }> {
    const page = await context.newPage();
    await page.goto(link);
    await page.waitForFunction(() => (document.querySelector('video')?.played.length ?? 0) > 0, null, { timeout: DEADLINE_MS });
    const stage = page.locator('.stage[data-view-yaw]');
    await stage.waitFor({ timeout: DEADLINE_MS });
    return {
      page,
      startedAt: await page.evaluate(() => document.querySelector('video')!.played.start(0)),
      yaw: Number(await stage.getAttribute('data-view-yaw')),
      pitch: Number(await stage.getAttribute('data-view-pitch')),
    };
  }

  test('a link with t, yaw and pitch opens there; the share button copies a link to where the viewer is now', async () => {
    const shared = await open(`${stack.url}/watch/${contentId}?t=2&yaw=-40&pitch=15`);
    const { page } = shared;
    assert.ok(Math.abs(shared.startedAt - 2) < 0.25, `playback started at ${shared.startedAt} s, expected 2 s`);
    assert.equal(shared.yaw, -40);
    assert.equal(shared.pitch, 15);

    // The viewer moves on: pauses at 4 s and turns right twice with the arrow keys (5° each).
    await page.evaluate(async () => {
      const video = document.querySelector('video')!;
      video.pause();
      video.currentTime = 4;
      await new Promise((resolve) => video.addEventListener('seeked', resolve, { once: true }));
    });
    await page.locator('canvas.stage-canvas').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.querySelector('.stage')?.getAttribute('data-view-yaw') === '-30.00');

    assert.equal(await page.evaluate(() => typeof navigator.share), 'undefined', 'this Chromium has no Web Share API: the copy fallback runs');
    await page.getByRole('button', { name: 'Share' }).click();
    const status = page.getByRole('status').filter({ hasText: 'Link copied' });
    await status.waitFor({ timeout: DEADLINE_MS });
    assert.equal(await status.textContent(), 'Link copied, starting at 0:04');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, `${stack.url}/watch/${contentId}?t=4&yaw=-30&pitch=15`);
    await page.close();

    const again = await open(copied);
    assert.ok(Math.abs(again.startedAt - 4) < 0.25, `playback started at ${again.startedAt} s, expected 4 s`);
    assert.equal(again.yaw, -30);
    assert.equal(again.pitch, 15);
    await again.page.close();
  });

  test('a destination page lists the video, shares its own link, and both pages carry link previews', async () => {
    const page = await context.newPage();
    await page.goto(`${stack.url}/destinations/${destinationId}`);
    await page.getByRole('heading', { name: 'Lisbon', level: 1 }).waitFor({ timeout: DEADLINE_MS });
    await page.getByRole('link', { name: 'Miradouro <da> Graça', exact: true }).waitFor({ timeout: DEADLINE_MS });
    await page.getByRole('button', { name: 'Share' }).click();
    await page.getByRole('status').filter({ hasText: 'Link copied' }).waitFor({ timeout: DEADLINE_MS });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${stack.url}/destinations/${destinationId}`);
    const onDestination = await axeViolations(page, 'serious');
    assert.deepEqual(onDestination, [], describeViolations('destination page', onDestination));

    // Destinations are found by search, shown on the places map and listed (popular for a visitor).
    await page.goto(`${stack.url}/search?q=lisb`);
    await page.getByRole('region', { name: 'Destinations' }).getByRole('link', { name: 'Lisbon', exact: true }).waitFor({ timeout: DEADLINE_MS });
    await page.goto(`${stack.url}/places`);
    await page.locator('[data-testid="destination-pins"] rect').first().waitFor({ timeout: DEADLINE_MS });
    assert.equal(await page.locator('[data-testid="destination-pins"] rect title').textContent(), 'Lisbon, Portugal');
    await page.goto(`${stack.url}/destinations`);
    await page.getByRole('heading', { name: 'Popular destinations' }).waitFor({ timeout: DEADLINE_MS });
    await page.getByRole('link', { name: 'Lisbon', exact: true }).waitFor({ timeout: DEADLINE_MS });
    const onList = await axeViolations(page, 'serious');
    assert.deepEqual(onList, [], describeViolations('destinations page', onList));

    // As a crawler: the HTML as served (no JavaScript run), parsed by Chromium's HTML parser.
    const previewOf = async (pathname: string) => {
      const html = await (await fetch(`${stack.url}${pathname}`)).text();
      return page.evaluate((source) => {
        const doc = new DOMParser().parseFromString(source, 'text/html');
        const tags: Record<string, string> = {};
        for (const meta of doc.head.querySelectorAll('meta[property], meta[name]')) {
          tags[meta.getAttribute('property') ?? meta.getAttribute('name') ?? ''] = meta.getAttribute('content') ?? '';
        }
        return { tags, title: doc.title, scriptsInHead: doc.head.querySelectorAll('script:not([type="module"])').length };
      }, html);
    };
    const watch = await previewOf(`/watch/${contentId}?t=4&yaw=-30&pitch=15`);
    assert.equal(watch.title, 'Miradouro <da> Graça · Spherecast');
    assert.equal(watch.tags['og:title'], 'Miradouro <da> Graça');
    assert.equal(watch.tags['og:description'], 'Sunset over Lisbon');
    assert.equal(watch.tags['og:type'], 'video.other');
    assert.equal(watch.tags['og:url'], `${stack.url}/watch/${contentId}?t=4&yaw=-30&pitch=15`);
    assert.equal(watch.tags['twitter:card'], 'summary_large_image');
    assert.equal(watch.scriptsInHead, 0);
    const image = await fetch(watch.tags['og:image']!);
    assert.equal(image.status, 200, watch.tags['og:image']);
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    await image.arrayBuffer();

    const place = await previewOf(`/destinations/${destinationId}`);
    assert.equal(place.tags['og:type'], 'website');
    assert.equal(place.tags['og:title'], 'Lisbon, Portugal');
    assert.equal(place.tags['og:image'], watch.tags['og:image']);
    await page.close();
  });
});
