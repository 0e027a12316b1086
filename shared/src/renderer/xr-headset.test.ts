// The WebXR path in real Chromium with Meta's WebXR emulation runtime (IWER) as a Meta Quest 3, installed
// before the page loads: Enter VR through the renderer's own button, both eyes drawn (each its own half of a
// stereo frame), head tracking, the controller's trigger reaching the scene, Exit VR.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { launchChromium } from '../testing/chromium.ts';
import { EmulatedHeadset, type EyePixels } from '../testing/headset.ts';
import { PATTERN_COLOURS, rightEyeColour } from './fixtures/test-pattern.ts';
import type { SphereRenderer, SphereRendererEventMap } from './index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.resolve(here, '../../../test-artifacts/renderer');

declare global {
  interface Window {
    headsetTest: {
      renderer: SphereRenderer;
      xrEvents: SphereRendererEventMap['xr'][];
      dismissed: string[];
      screenCentre(): [number, number, number];
    };
  }
}

type Rgb = readonly [number, number, number];
function assertColour(actual: Rgb, expected: Rgb, what: string): void {
  const close = actual.every((c, i) => Math.abs(c - (expected[i] ?? 0)) <= 8);
  assert.ok(close, `${what}: expected rgb(${expected.join(',')}), got rgb(${actual.join(',')})`);
}

function assertDrawn(eye: EyePixels, what: string): void {
  // The sphere fills the whole view; the pattern has several regions and labels in most directions.
  assert.ok(eye.litShare > 0.9, `${what}: only ${(eye.litShare * 100).toFixed(1)}% of the pixels are lit`);
  assert.ok(eye.distinctColours >= 2, `${what}: a flat fill (${eye.distinctColours} colour)`);
}

describe('WebXR in an emulated Meta Quest 3 (IWER)', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let page: Page;
  let headset: EmulatedHeadset;

  before(async () => {
    await mkdir(artifacts, { recursive: true });
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
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The runtime goes in before the page's scripts, as a headset browser's own WebXR would be there.
    headset = await EmulatedHeadset.install(page);
    await page.goto(new URL('headset.html', url).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 }).catch((e: unknown) => {
      throw new Error(`test page did not start: ${errors.join('; ') || String(e)}`);
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('Enter VR: the button is offered, both eyes are drawn in stereo and follow the head; Exit VR returns to the page', async () => {
    const button = page.getByRole('button', { name: 'Enter VR' });
    await button.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await headset.presenting(), false);
    await button.click();
    await headset.waitForPresenting(true);
    await page.getByRole('button', { name: 'Exit VR' }).waitFor({ state: 'attached' });
    assert.deepEqual(await page.evaluate(() => window.headsetTest.xrEvents), [{ presenting: true }]);
    assert.equal(await page.evaluate(() => window.headsetTest.renderer.xr.presenting), true);

    // Straight ahead: the left eye sees the top half of the frame (front = red), the right eye the bottom
    // half (the same regions, dimmed): each eye its own picture, side by side on the emulator's canvas.
    const ahead = await headset.readEyes();
    await page.screenshot({ path: path.join(artifacts, 'xr-headset-stereo-ahead.png') });
    assertDrawn(ahead.left, 'left eye');
    assertDrawn(ahead.right, 'right eye');
    assertColour(ahead.left.centre, PATTERN_COLOURS.front, 'left eye, ahead');
    assertColour(ahead.right.centre, rightEyeColour(PATTERN_COLOURS.front), 'right eye, ahead');

    // The viewer turns their head to the right, then up: both eyes follow.
    await headset.lookAt(90, 0);
    const right = await headset.readEyes();
    assertColour(right.left.centre, PATTERN_COLOURS.right, 'left eye, head turned right');
    assertColour(right.right.centre, rightEyeColour(PATTERN_COLOURS.right), 'right eye, head turned right');
    // (Up and a little right: the UP label sits at yaw 0.)
    await headset.lookAt(45, 75);
    const up = await headset.readEyes();
    await page.screenshot({ path: path.join(artifacts, 'xr-headset-stereo-up.png') });
    assertColour(up.left.centre, PATTERN_COLOURS.zenith, 'left eye, looking up');
    assertColour(up.right.centre, rightEyeColour(PATTERN_COLOURS.zenith), 'right eye, looking up');
    await headset.lookAt(0, 0);

    // Exit VR from the page's button (the emulator's full-window canvas sits over the page, as a headset's display would).
    await page.getByRole('button', { name: 'Exit VR' }).dispatchEvent('click');
    await headset.waitForPresenting(false);
    await page.getByRole('button', { name: 'Enter VR' }).waitFor({ state: 'visible' });
    assert.deepEqual(await page.evaluate(() => window.headsetTest.xrEvents), [{ presenting: true }, { presenting: false }]);
    // Back on the page: the canvas is in its place again and shows the left eye's view, ahead.
    assert.equal(await page.evaluate(() => document.querySelector('#view')?.parentElement === document.body), true);
    // The page draws its own view again on its next animation frame.
    let onScreen = await page.evaluate(() => window.headsetTest.screenCentre());
    for (let tries = 0; tries < 50 && !onScreen.every((c, i) => Math.abs(c - (PATTERN_COLOURS.front[i] ?? 0)) <= 8); tries += 1) {
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      onScreen = await page.evaluate(() => window.headsetTest.screenCentre());
    }
    assertColour(onScreen, PATTERN_COLOURS.front, 'on screen after Exit VR');
  });

  test('the controller: its ray points where the test aims it, and the trigger dismisses the announcement panel in the scene', async () => {
    await page.getByRole('button', { name: 'Enter VR' }).click();
    await headset.waitForPresenting(true);
    await page.evaluate(() => window.headsetTest.renderer.setAnnouncement({ id: 'welcome', title: 'Welcome aboard', body: 'Pull the trigger to close.' }));
    assert.equal(await page.evaluate(() => window.headsetTest.renderer.getAnnouncement()?.visible), true);

    await headset.select(35, -20);
    const selects = await headset.selects();
    assert.equal(selects.length, 1, JSON.stringify(selects));
    const [select] = selects;
    assert.ok(select);
    assert.equal(select.hand, 'right');
    assert.ok(Math.abs(select.yaw - 35) < 0.5 && Math.abs(select.pitch + 20) < 0.5, `ray at yaw ${select.yaw}, pitch ${select.pitch}`);
    assert.deepEqual(await page.evaluate(() => window.headsetTest.dismissed), ['welcome']);
    assert.equal(await page.evaluate(() => window.headsetTest.renderer.getAnnouncement()), null);

    // The viewer takes the headset off: the session ends from the runtime's side and the page follows.
    await headset.end();
    await headset.waitForPresenting(false);
    await page.getByRole('button', { name: 'Enter VR' }).waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => window.headsetTest.renderer.xr.presenting), false);
  });
});
