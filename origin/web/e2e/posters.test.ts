// Responsive posters end to end: the media engine writes poster rungs, publishing keeps them, the API
// lists them (srcset-ready), and the player picks a small WebP for a phone-sized card, fetches the
// first poster eagerly at high priority, the rest lazily, with the space of every poster reserved.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, sleep } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { makeTestLadder } from './support/ladder.ts';
import { startStack, type Stack } from './support/stack.ts';

type Rung = { url: string; width: number; type: string };

describe('responsive posters', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let firstId: string;

  before(async () => {
    await buildPlayerApp();
    stack = await startStack();
    // A 1024 px wide source: a 1024 px poster, rungs 320 and 640.
    const ladder = await makeTestLadder(path.join(stack.workDir, 'ladder-work'), 2, 1024);
    const { token } = await stack.register('poster_creator');
    await stack.publish(token, ladder.dir, { title: 'Older clip', durationSeconds: 2 });
    firstId = await stack.publish(token, ladder.dir, { title: 'Newest clip', durationSeconds: 2 });
    browser = await launchChromium();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  test('the content summary lists the poster rungs in WebP and JPEG, narrowest first, and keeps posterUrl', async () => {
    const detail = await stack.http<{ posterUrl: string; posters: Rung[] }>('GET', `/api/content/${firstId}`);
    assert.match(detail.posterUrl, /\/poster\.jpg$/);
    assert.deepEqual(
      detail.posters.map((p) => [p.type, p.width, path.posix.basename(new URL(p.url, stack.url).pathname)]),
      [
        ['image/webp', 320, 'poster-320.webp'],
        ['image/webp', 640, 'poster-640.webp'],
        ['image/jpeg', 320, 'poster-320.jpg'],
        ['image/jpeg', 640, 'poster-640.jpg'],
      ],
    );
    for (const rung of detail.posters) {
      const response = await fetch(new URL(rung.url, stack.url));
      assert.equal(response.status, 200, rung.url);
      assert.equal(response.headers.get('content-type'), rung.type);
    }
    // Search cards carry the same list.
    const search = await stack.http<{ items: { id: string; posters: Rung[] }[] }>('GET', '/api/search?sort=newest');
    assert.deepEqual(search.items.find((i) => i.id === firstId)?.posters, detail.posters);
  });

  test('on a phone the home page fetches the first poster eagerly as a small WebP, reserves its space, and lazy-loads the rest', async () => {
    context = await browser.newContext({ viewport: { width: 412, height: 823 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const images: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'image') images.push(new URL(request.url()).pathname.split('/').pop() ?? '');
    });
    await page.goto(`${stack.url}/`);
    const shelf = page.locator('section.shelf', { hasText: 'Recently published' });
    const firstImg = shelf.locator('.card-poster img').first();
    await firstImg.waitFor();
    // The box is sized before the image arrives: 16:9 of the column.
    const box = await shelf.locator('.card-poster').first().boundingBox();
    assert.ok(box && box.width > 300 && Math.abs(box.height - (box.width * 9) / 16) < 2, JSON.stringify(box));
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('section.shelf .card-poster img');
      return img?.complete && img.naturalWidth > 0;
    });
    const first = await firstImg.evaluate((img: HTMLImageElement) => ({
      loading: img.loading,
      priority: img.getAttribute('fetchpriority'),
      current: img.currentSrc,
      sizes: img.sizes,
    }));
    assert.equal(first.loading, 'eager');
    assert.equal(first.priority, 'high');
    // About 388 px wide at 1x: the 640 rung, in WebP.
    assert.match(first.current, /\/poster-640\.webp/);
    assert.ok(!images.includes('poster.jpg'), `the full-size poster is not fetched: ${images.join(', ')}`);
    const others = await page
      .locator('.card-poster img')
      .evaluateAll((imgs: HTMLImageElement[]) => imgs.slice(1).map((img) => [img.loading, img.getAttribute('fetchpriority')]));
    assert.ok(others.length >= 1);
    for (const [loading, priority] of others) assert.deepEqual([loading, priority], ['lazy', 'auto']);
    await context.close();
  });

  for (const [name, viewport] of [
    ['phone', { width: 412, height: 823 }],
    ['desktop', { width: 1350, height: 940 }],
  ] as const) {
    test(`nothing on the home and watch pages moves while they fill in (${name}: cumulative layout shift under 0.05)`, async () => {
      context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.addInitScript(() => {
        const w = window as unknown as { __cls: { value: number; nodes: string[] }[] };
        w.__cls = [];
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean; sources?: { node?: Element }[] }[]) {
            if (!entry.hadRecentInput)
              w.__cls.push({ value: entry.value, nodes: (entry.sources ?? []).map((s) => `${s.node?.tagName ?? '?'}.${s.node?.className ?? ''}`) });
          }
        }).observe({ type: 'layout-shift', buffered: true });
      });
      for (const url of [`${stack.url}/`, `${stack.url}/watch/${firstId}`]) {
        await page.goto(url);
        await page
          .locator(url.endsWith('/') ? 'section.shelf .card-poster img' : 'canvas.stage-canvas')
          .first()
          .waitFor();
        await sleep(1500);
        const shifts = await page.evaluate(() => (window as unknown as { __cls: { value: number; nodes: string[] }[] }).__cls);
        const total = shifts.reduce((sum, s) => sum + s.value, 0);
        assert.ok(total < 0.05, `${url}: CLS ${total.toFixed(3)} from ${JSON.stringify(shifts)}`);
      }
      await context.close();
    });
  }
});
