// Renders a known equirectangular pattern in real Chromium (WebGL through SwiftShader) and checks
// which colour is at the centre of the view for each direction.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../testing/chromium.ts';
import { createServer, type ViteDevServer } from 'vite';
import { PATTERN_COLOURS, rightEyeColour } from './fixtures/test-pattern.ts';
import type { View, SphereRenderer } from './index.ts';
import type { Projection } from '../projection.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.resolve(here, '../../../test-artifacts/renderer');

type Rgb = readonly [number, number, number];
type SphereTest = {
  renderer: SphereRenderer;
  probe(view: Partial<View>): Rgb;
  setPattern(projection: Projection): Promise<void>;
  playVideo(url: string): Promise<void>;
  views: View[];
  createXrRenderer(): SphereRenderer;
  countPanelPixels(): Promise<number>;
  countCaptionPixels(): Promise<number>;
  turnHead(yawDeg: number, pitchDeg?: number): void;
  xrSelect(): void;
};
declare global {
  interface Window {
    sphereTest: SphereTest;
  }
}

/** Chromium flags: WebGL2 runs on SwiftShader; `--enable-unsafe-swiftshader` keeps it allowed as Chromium deprecates the silent fallback. */
function assertColour(actual: Rgb, expected: Rgb, what: string): void {
  const close = actual.every((c, i) => Math.abs(c - (expected[i] ?? 0)) <= 8);
  assert.ok(close, `${what}: expected rgb(${expected.join(',')}), got rgb(${actual.join(',')})`);
}

describe('SphereRenderer in Chromium', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let page: Page;
  let publicDir: string;

  before(async () => {
    await mkdir(artifacts, { recursive: true });
    // A short moving clip for the video test, served as /clip.mp4.
    publicDir = await mkdtemp(path.join(tmpdir(), 'spherecast-renderer-'));
    await promisify(execFile)(process.env.FFMPEG_PATH ?? 'ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=256x128:rate=25:duration=4',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      path.join(publicDir, 'clip.mp4'),
    ]);
    server = await createServer({
      configFile: false,
      root: path.join(here, 'fixtures'),
      publicDir,
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
      optimizeDeps: { noDiscovery: true, include: [] },
    });
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    assert.ok(url, 'vite did not report a URL');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 400, height: 300 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 }).catch((e: unknown) => {
      throw new Error(`test page did not start: ${errors.join('; ') || String(e)}`);
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (publicDir) await rm(publicDir, { recursive: true, force: true });
  });

  const probe = (view: Partial<View>): Promise<Rgb> => page.evaluate((v) => window.sphereTest.probe(v), view);

  test('mono: yaw 0/90/180/-90 and pitch ±90 show the matching region at the centre', async () => {
    const cases: [Partial<View>, keyof typeof PATTERN_COLOURS][] = [
      [{ yaw: 0, pitch: 0 }, 'front'],
      [{ yaw: 90, pitch: 0 }, 'right'],
      [{ yaw: 180, pitch: 0 }, 'back'],
      [{ yaw: -90, pitch: 0 }, 'left'],
      [{ yaw: 0, pitch: 90 }, 'zenith'],
      [{ yaw: 0, pitch: -90 }, 'nadir'],
      // Past the wrap: 270 is the same direction as -90.
      [{ yaw: 270, pitch: 0 }, 'left'],
    ];
    for (const [view, region] of cases) {
      assertColour(await probe(view), PATTERN_COLOURS[region], `view ${JSON.stringify(view)}`);
      await page.locator('#view').screenshot({ path: path.join(artifacts, `mono-yaw${view.yaw}-pitch${view.pitch}.png`) });
    }
  });

  test('setView normalises yaw, clamps pitch and fov, and emits view events', async () => {
    const view = await page.evaluate(() => {
      window.sphereTest.views.length = 0;
      window.sphereTest.renderer.setView({ yaw: 540, pitch: 120, fov: 500 });
      return { view: window.sphereTest.renderer.getView(), events: window.sphereTest.views.length };
    });
    assert.deepEqual(view.view, { yaw: 180, pitch: 90, fov: 100 });
    assert.equal(view.events, 1);
  });

  test('seam overlay draws a line at the 0/360° wrap only', async () => {
    await page.evaluate(() => window.sphereTest.renderer.setSeamOverlay(true));
    const onSeam = await probe({ yaw: 180, pitch: 0, fov: 60 });
    const offSeam = await probe({ yaw: 0, pitch: 0 });
    await page.locator('#view').screenshot({ path: path.join(artifacts, 'seam-overlay-front.png') });
    await probe({ yaw: 170, pitch: 0 });
    await page.locator('#view').screenshot({ path: path.join(artifacts, 'seam-overlay-near-wrap.png') });
    await page.evaluate(() => window.sphereTest.renderer.setSeamOverlay(false));
    assert.notDeepEqual(onSeam, PATTERN_COLOURS.back, 'seam line expected at yaw 180');
    assertColour(onSeam, [255, 51, 153], 'seam colour');
    assertColour(offSeam, PATTERN_COLOURS.front, 'no line away from the seam');
    assertColour(await probe({ yaw: 180, pitch: 0 }), PATTERN_COLOURS.back, 'line gone when switched off');
  });

  test('stereo top-bottom and left-right show the left eye (top / left half) on screen', async () => {
    for (const projection of ['stereo-top-bottom', 'stereo-left-right'] as const) {
      await page.evaluate((p) => window.sphereTest.setPattern(p), projection);
      assertColour(await probe({ yaw: 90, pitch: 0 }), PATTERN_COLOURS.right, `${projection} yaw 90`);
      assertColour(await probe({ yaw: 0, pitch: 90 }), PATTERN_COLOURS.zenith, `${projection} zenith`);
      assertColour(await probe({ yaw: -90, pitch: -90 }), PATTERN_COLOURS.nadir, `${projection} nadir`);
      const front = await probe({ yaw: 0, pitch: 0 });
      assertColour(front, PATTERN_COLOURS.front, `${projection} front`);
      assert.notDeepEqual(front, rightEyeColour(PATTERN_COLOURS.front));
      await page.locator('#view').screenshot({ path: path.join(artifacts, `${projection}-front.png`) });
    }
    await page.evaluate(() => window.sphereTest.setPattern('equirectangular-mono'));
  });

  test('look controls: dragging grabs the picture, the wheel zooms within limits', async () => {
    await probe({ yaw: 0, pitch: 0, fov: 60 });
    const box = await page.locator('#view').boundingBox();
    assert.ok(box);
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    // Drag left by half the height: the picture follows the mouse, so the view turns right by fov/2.
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx - box.height / 2, cy + box.height / 4, { steps: 5 });
    await page.mouse.up();
    const dragged = await page.evaluate(() => window.sphereTest.renderer.getView());
    assert.ok(Math.abs(dragged.yaw - 30) < 0.5, `yaw after drag ${dragged.yaw}`);
    assert.ok(Math.abs(dragged.pitch - 15) < 0.5, `pitch after drag ${dragged.pitch}`);

    await page.mouse.move(cx, cy);
    for (let i = 0; i < 20; i += 1) await page.mouse.wheel(0, 300);
    const zoomedOut = await page.evaluate(() => window.sphereTest.renderer.getView().fov);
    assert.equal(zoomedOut, 100);
    for (let i = 0; i < 40; i += 1) await page.mouse.wheel(0, -300);
    const zoomedIn = await page.evaluate(() => window.sphereTest.renderer.getView().fov);
    assert.equal(zoomedIn, 30);
  });

  test('lookAt turns to a direction, animated the short way round', async () => {
    await probe({ yaw: 170, pitch: 0, fov: 60 });
    await page.evaluate(() => {
      window.sphereTest.views.length = 0;
      window.sphereTest.renderer.lookAt(-170, 10, { durationMs: 300 });
    });
    await page.waitForFunction(() => {
      const v = window.sphereTest.renderer.getView();
      return Math.abs(v.yaw + 170) < 0.01 && Math.abs(v.pitch - 10) < 0.01;
    });
    const path = await page.evaluate(() => window.sphereTest.views.map((v) => v.yaw));
    assert.ok(path.length > 2, 'animation produced intermediate views');
    // The short way from 170 to -170 crosses 180, never 0.
    assert.ok(
      path.every((yaw) => Math.abs(yaw) >= 169.9),
      `yaw path ${path.join(',')}`,
    );
  });

  test('a playing video is redrawn by the render loop as its frames change', async () => {
    await page.evaluate(() => window.sphereTest.playVideo('/clip.mp4'));
    await page.evaluate(() => window.sphereTest.renderer.setView({ yaw: 0, pitch: 0, fov: 90 }));
    const canvas = page.locator('#view');
    const first = await canvas.screenshot();
    await new Promise((resolve) => setTimeout(resolve, 600));
    const second = await canvas.screenshot({ path: path.join(artifacts, 'video-frame.png') });
    assert.notDeepEqual(first, second, 'the canvas did not change while the video played');
  });

  test('announcement panel: in the scene while set, drawn in front of the viewer only while presenting (WebXR through IWER), gone when cleared', async () => {
    const announcement = { id: 'a1', title: 'Scheduled maintenance', body: 'Uploads pause on Sunday night.' };
    const before = await page.evaluate((a) => {
      const r = window.sphereTest.createXrRenderer();
      r.setAnnouncement(a);
      return r.getAnnouncement();
    }, announcement);
    assert.deepEqual(before, { ...announcement, visible: false }, 'on screen the page shows announcements itself');

    await page.evaluate(() => window.sphereTest.createXrRenderer().xr.enter());
    const presenting = await page.evaluate(() => window.sphereTest.createXrRenderer().getAnnouncement());
    assert.deepEqual(presenting, { ...announcement, visible: true });
    const shown = await page.evaluate(() => window.sphereTest.countPanelPixels());
    await page.screenshot({ path: path.join(artifacts, 'xr-announcement-panel.png') });
    // The panel is 1.6 m wide at 2.5 m: a large share of each eye's view.
    assert.ok(shown > 2000, `panel background pixels while presenting: ${shown}`);

    await page.evaluate(() => window.sphereTest.createXrRenderer().setAnnouncement(null));
    assert.equal(await page.evaluate(() => window.sphereTest.createXrRenderer().getAnnouncement()), null);
    const cleared = await page.evaluate(() => window.sphereTest.countPanelPixels());
    await page.screenshot({ path: path.join(artifacts, 'xr-announcement-cleared.png') });
    assert.equal(cleared, 0, 'panel pixels after clearing');

    // In the headset the viewer dismisses it with a select (trigger or pinch); the page hears which one.
    const dismissed = await page.evaluate(
      (a) => {
        const r = window.sphereTest.createXrRenderer();
        r.setAnnouncement(a);
        const heard: string[] = [];
        r.on('announcementdismiss', ({ id }) => heard.push(id));
        window.sphereTest.xrSelect();
        return { heard, after: r.getAnnouncement() };
      },
      { ...announcement, id: 'a2' },
    );
    assert.deepEqual(dismissed, { heard: ['a2'], after: null });

    await page.evaluate(() => window.sphereTest.createXrRenderer().xr.exit());
    await page.waitForFunction(() => !window.sphereTest.createXrRenderer().xr.presenting);
  });

  test('caption panel in WebXR: drawn only while presenting, a little below the gaze, and follows the head as it turns', async () => {
    await page.evaluate(() => window.sphereTest.createXrRenderer().setCaption('Hello from the reef\nsecond line'));
    const onScreen = await page.evaluate(() => window.sphereTest.createXrRenderer().getCaption());
    assert.equal(onScreen?.visible, false, 'on screen the page draws captions itself');
    await page.evaluate(() => window.sphereTest.createXrRenderer().xr.enter());
    await page.waitForFunction(() => window.sphereTest.createXrRenderer().getCaption()?.visible === true);
    const ahead = await page.evaluate(() => window.sphereTest.createXrRenderer().getCaption());
    assert.equal(ahead?.text, 'Hello from the reef\nsecond line');
    // Looking straight ahead (-Z): the panel is ahead and below eye level.
    assert.ok(ahead && ahead.direction.z < -0.9 && ahead.direction.y < -0.1 && Math.abs(ahead.direction.x) < 0.05, JSON.stringify(ahead));
    const shown = await page.evaluate(() => window.sphereTest.countCaptionPixels());
    await page.screenshot({ path: path.join(artifacts, 'xr-caption-panel.png') });
    assert.ok(shown > 300, `caption text pixels while presenting: ${shown}`);

    // The viewer turns 90° to the left: the panel follows (lazily) until it is in front of them again.
    await page.evaluate(() => window.sphereTest.turnHead(90));
    await page.waitForFunction(
      () => {
        const caption = window.sphereTest.createXrRenderer().getCaption();
        return caption !== null && caption.direction.x < -0.9 && Math.abs(caption.direction.z) < 0.15;
      },
      undefined,
      { timeout: 20_000 },
    );
    const turned = await page.evaluate(() => window.sphereTest.createXrRenderer().getCaption());
    assert.ok(turned && turned.direction.y < -0.1 && Math.abs(turned.direction.z) < 0.15, JSON.stringify(turned));
    const stillShown = await page.evaluate(() => window.sphereTest.countCaptionPixels());
    await page.screenshot({ path: path.join(artifacts, 'xr-caption-panel-turned.png') });
    assert.ok(stillShown > 300, `caption text pixels after turning: ${stillShown}`);

    await page.evaluate(() => window.sphereTest.createXrRenderer().setCaption(null));
    assert.equal(await page.evaluate(() => window.sphereTest.createXrRenderer().getCaption()), null);
    assert.ok((await page.evaluate(() => window.sphereTest.countCaptionPixels())) < shown / 10, 'no caption drawn after clearing');
    await page.evaluate(() => window.sphereTest.turnHead(0));
    await page.evaluate(() => window.sphereTest.createXrRenderer().xr.exit());
    await page.waitForFunction(() => !window.sphereTest.createXrRenderer().xr.presenting);
  });
});
