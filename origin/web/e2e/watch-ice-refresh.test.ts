// The watch page keeps its TURN credentials fresh: a real origin handing out TURN REST credentials
// that expire soon, the built player app in Chromium; the player asks the origin for the viewing
// session's ICE servers again (streaming.iceServers) before the payload's expire.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { makeTestLadder } from './support/ladder.ts';
import { startStack, type Stack } from './support/stack.ts';

/** Credentials that expire this soon (below the 60 s that TURN_TTL_SECONDS allows, given as options). */
const TTL_SECONDS = 8;

describe('watch page: fresh TURN credentials', () => {
  let stack: Stack;
  let browser: Browser;
  let contentId: string;

  before(async () => {
    await buildPlayerApp();
    stack = await startStack({
      ice: {
        stunUrls: [],
        // Nothing listens there: only the credentials matter here, not a relay.
        turnUrls: ['turn:127.0.0.1:9?transport=udp'],
        turnSecret: 'watch-ice-refresh-static-auth-secret',
        turnTtlSeconds: TTL_SECONDS,
        relayPolicy: 'fallback',
      },
    });
    const ladder = await makeTestLadder(path.join(stack.workDir, 'ladder-work'), 12);
    const { token } = await stack.register('ice_creator');
    contentId = await stack.publish(token, ladder.dir, { title: 'Credentials', durationSeconds: 12 });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  test('before the payload credential expires the page gets a later one for the same viewing session', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const started = page.waitForResponse((r) => r.url().includes('streaming.start'), { timeout: 60_000 });
      const refreshed = page.waitForResponse((r) => r.url().includes('streaming.iceServers'), { timeout: 60_000 });
      await page.goto(`${stack.url}/watch/${contentId}`);
      // Read from the answers' text: the client may batch procedures into one request.
      const startText = await (await started).text();
      const sessionId = /"sessionId":"([0-9a-f-]{36})"/.exec(startText)?.[1];
      assert.ok(sessionId, startText);
      const response = await refreshed;
      const freshText = await response.text();
      assert.equal(response.status(), 200, freshText);
      const expiry = (text: string): number => Number(new RegExp(`"username":"(\\d+):${sessionId}"`).exec(text)?.[1]);
      assert.ok(expiry(freshText) > 0, `no credential of viewing session ${sessionId}: ${freshText}`);
      assert.ok(expiry(freshText) > expiry(startText), `${freshText} expires no later than ${startText}`);
    } finally {
      await context.close();
    }
  });
});
