// What each page loads, recorded from Chromium's network: home, search and profile never fetch the
// watch chunk (three.js, hls.js, the P2P engine); the watch page asks for its data (content details
// and the playback payload) as the route is entered, without waiting for that chunk.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, sleep } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { startStack, type Stack } from './support/stack.ts';

const WATCH_CHUNK = /\/assets\/watch-page-[\w-]+\.js$/;
const MAIN_CHUNK = /\/assets\/index-[\w-]+\.js$/;

type NetEvent = { kind: 'request' | 'response'; url: string; at: number };

function record(page: Page): NetEvent[] {
  const events: NetEvent[] = [];
  page.on('request', (request) => events.push({ kind: 'request', url: request.url(), at: Date.now() }));
  page.on('response', (response) => events.push({ kind: 'response', url: response.url(), at: Date.now() }));
  return events;
}

describe('what each page loads', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let contentId: string;

  before(async () => {
    await buildPlayerApp();
    stack = await startStack();
    const creator = await stack.register('loader', 'creator');
    contentId = (
      await stack.origin.services.prisma.content.create({
        data: { ownerId: creator.userId, title: 'Harbour at dawn', status: 'ready', visibility: 'public', publishedAt: new Date() },
        select: { id: true },
      })
    ).id;
    browser = await launchChromium();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  test('home, search and a profile load the main chunk only, never the watch chunk', async () => {
    context = await browser.newContext({ viewport: { width: 412, height: 823 } });
    const page = await context.newPage();
    const events = record(page);
    await page.goto(`${stack.url}/`);
    await page.getByRole('heading', { name: 'Recently published' }).waitFor();
    await page.getByRole('link', { name: 'Harbour at dawn' }).first().waitFor();
    await page.goto(`${stack.url}/search?q=harbour`);
    await page.getByRole('link', { name: 'Harbour at dawn' }).first().waitFor();
    await page.goto(`${stack.url}/u/loader`);
    await page.getByRole('link', { name: 'Harbour at dawn' }).first().waitFor();
    // In-app navigation between these pages loads nothing more either.
    await page.getByRole('link', { name: 'Spherecast' }).first().click();
    await page.getByRole('heading', { name: 'Recently published' }).waitFor();
    await sleep(300);
    const scripts = events.filter((e) => e.kind === 'request' && /\.js$/.test(e.url)).map((e) => e.url);
    assert.ok(
      scripts.some((url) => MAIN_CHUNK.test(url)),
      scripts.join('\n'),
    );
    assert.deepEqual(
      scripts.filter((url) => WATCH_CHUNK.test(url) || /renderer|three|hls|p2p/i.test(url)),
      [],
    );
    const html = await (await fetch(`${stack.url}/`)).text();
    assert.doesNotMatch(html, /watch-page/);
    await context.close();
  });

  test('the watch page asks for its data, the playback payload included, before its chunk has arrived', async () => {
    context = await browser.newContext({ viewport: { width: 412, height: 823 } });
    const page = await context.newPage();
    const events = record(page);
    // A slow network for the big chunk only: its data must not wait for it.
    await page.route(WATCH_CHUNK, async (route) => {
      await sleep(1500);
      await route.continue();
    });
    const chunk = page.waitForResponse(WATCH_CHUNK);
    await page.goto(`${stack.url}/watch/${contentId}`);
    await page.getByRole('heading', { name: 'Harbour at dawn' }).waitFor();
    await chunk;
    const chunkArrived = events.find((e) => e.kind === 'response' && WATCH_CHUNK.test(e.url));
    assert.ok(chunkArrived, 'the watch chunk was fetched');
    const dataAsked = (procedure: string) => events.find((e) => e.kind === 'request' && e.url.includes('/trpc/') && e.url.includes(procedure));
    for (const procedure of ['content.get', 'streaming.start']) {
      const asked = dataAsked(procedure);
      assert.ok(asked, `${procedure} was requested`);
      assert.ok(asked.at < chunkArrived.at, `${procedure} asked ${chunkArrived.at - asked.at} ms before the chunk arrived`);
    }
    // Each is asked once: the page takes the prefetched answers instead of asking again.
    assert.equal(events.filter((e) => e.kind === 'request' && e.url.includes('/trpc/') && e.url.includes('streaming.start')).length, 1);
    await context.close();
  });
});
