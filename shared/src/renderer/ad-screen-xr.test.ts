// A flat ad in an emulated Meta Quest 3 (IWER): the virtual screen in front of the viewer with the sphere
// dark around it, the label bar under it, and the controller's trigger on the skip control or on the
// screen reaching the page as adskip / adclick. Uses the headset test page of xr-headset.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { launchChromium } from '../testing/chromium.ts';
import { directionTo, EmulatedHeadset } from '../testing/headset.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

// xr-headset.test.ts declares `window.headsetTest` (the same page); this file adds what it records of the ad.
declare global {
  interface Window {
    adEvents: string[];
  }
}

describe('a flat ad on the virtual screen in WebXR (emulated Meta Quest 3)', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let page: Page;
  let headset: EmulatedHeadset;

  before(async () => {
    server = await createServer({
      configFile: false,
      root: path.join(here, 'fixtures'),
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
      optimizeDeps: { noDiscovery: true, include: [] },
    });
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    assert.ok(url, 'vite did not report a URL');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 640, height: 360 } });
    headset = await EmulatedHeadset.install(page);
    await page.goto(new URL('headset.html', url).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the screen is drawn in front of the viewer with the sphere dark, the label bar shows, and the trigger skips or clicks through', async () => {
    await page.getByRole('button', { name: 'Enter VR' }).click();
    await headset.waitForPresenting(true);
    const before = await headset.readEyes();
    await page.evaluate(() => {
      window.adEvents = [];
      const { renderer } = window.headsetTest;
      renderer.on('adskip', () => window.adEvents.push('skip'));
      renderer.on('adclick', () => window.adEvents.push('click'));
      renderer.setAd({ form: 'flat', label: 'Ad · 0:12', skip: { kind: 'in', seconds: 3 }, clickable: true });
    });
    const during = await headset.readEyes();
    const ad = await page.evaluate(() => window.headsetTest.renderer.getAd());
    assert.ok(ad);
    assert.equal(ad.screenVisible, true);
    assert.equal(ad.sphereVisible, false);
    assert.equal(ad.labelVisible, true, 'the label bar is drawn in the headset');
    assert.ok(before.left.litShare > 0.9, `the sphere filled the view before the ad (${before.left.litShare})`);
    for (const eye of [during.left, during.right]) {
      assert.ok(eye.litShare > 0.1 && eye.litShare < 0.8, `a screen in a dark room, not the whole view: ${eye.litShare}`);
      assert.ok(
        eye.centre.some((c) => c > 40),
        `the screen is in front of the viewer: rgb(${eye.centre.join(',')})`,
      );
    }

    // Not skippable yet: the trigger on the skip control does nothing; on the screen it clicks through.
    await headset.select(directionTo(ad.targets.skip).yaw, directionTo(ad.targets.skip).pitch);
    await headset.select(directionTo(ad.targets.screen).yaw, directionTo(ad.targets.screen).pitch);
    assert.deepEqual(await page.evaluate(() => window.adEvents), ['click']);
    // Once skippable, the trigger on the skip control skips.
    await page.evaluate(() => window.headsetTest.renderer.setAd({ form: 'flat', label: 'Ad · 0:09', skip: { kind: 'ready' }, clickable: true }));
    await headset.selectAt(ad.targets.skip);
    assert.deepEqual(await page.evaluate(() => window.adEvents), ['click', 'skip']);

    await page.evaluate(() => window.headsetTest.renderer.setAd(null));
    const afterAd = await headset.readEyes();
    assert.ok(afterAd.left.litShare > 0.9, `the sphere is back after the ad (${afterAd.left.litShare})`);
    await headset.end();
    await headset.waitForPresenting(false);
  });
});
