// First use, as issue #8 "Operators and first use" describes it: a signed-out visit is clean (no
// 4xx, no console error), announcements reach viewers on every page (over the video too), and the
// watch page works on a phone (360 px wide, touch).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { makeTestLadder } from './support/ladder.ts';
import { startStack, type Stack } from './support/stack.ts';

const CLIP_SECONDS = 12;

/**
 * Every failed request of a page and every console error, as sentences for assertions. tRPC batches
 * several calls in one request and answers 207 when some of them failed, so the calls inside each
 * /trpc answer are checked one by one.
 */
function recordProblems(page: Page): { problems: string[]; settled(): Promise<void> } {
  const problems: string[] = [];
  const reading: Promise<void>[] = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (response.status() >= 400) problems.push(`${response.status()} ${response.request().method()} ${url.pathname}`);
    if (!url.pathname.startsWith('/trpc/')) return;
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
  return { problems, settled: async () => void (await Promise.all(reading)) };
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
    const { problems, settled } = recordProblems(page);
    await page.goto(`${stack.url}/`);
    // "Sign in" shows once the session check has answered.
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'Lighthouse at dusk' }).first().waitFor();
    await page.waitForLoadState('networkidle');
    // A page whose only call is the session check.
    await page.goto(`${stack.url}/signin`);
    await page.getByRole('link', { name: 'Register' }).first().waitFor();
    await page.waitForLoadState('networkidle');
    await settled();
    assert.deepEqual(problems, []);
  });
});
