// A tour in a headset: Chromium with Meta's WebXR emulation runtime (IWER) as a Meta Quest 3, installed
// before the page loads, the TourPlayer on real HLS (ffmpeg ladder). Enter VR; the scene's narration is on
// its panel in the scene; the controller's ray on the info hotspot opens the info card in the scene, a
// trigger closes it; the ray on a doorway hotspot changes scene; Exit VR.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { EmulatedHeadset, type EyesFrame } from '../../testing/headset.ts';
import type { SphereRenderer } from '../../renderer/index.ts';
import { startPlayerBed, type PlayerBed } from '../fixtures/player-bed.ts';
import type { TourInfoCard, TourNarration, TourPlayer, SceneEntryVia } from './index.ts';

declare global {
  interface Window {
    tourTest: {
      renderer: SphereRenderer;
      player: TourPlayer;
      scenes: { id: string; via: SceneEntryVia; throughHotspotId: string | null }[];
      narrations: (TourNarration | null)[];
      infos: (TourInfoCard | null)[];
    };
  }
}

describe('A tour in an emulated Meta Quest 3 (IWER)', () => {
  let bed: PlayerBed;
  let page: Page;
  let headset: EmulatedHeadset;

  before(async () => {
    bed = await startPlayerBed('tour-headset', 4);
    page = await bed.browser.newPage({ viewport: { width: 640, height: 360 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    headset = await EmulatedHeadset.install(page);
    const url = new URL('tour-headset.html', bed.pageUrl);
    url.searchParams.set('master', `${bed.media.url}/${bed.ladder.master}`);
    await page.goto(url.href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 }).catch((e: unknown) => {
      throw new Error(`test page did not start: ${errors.join('; ') || String(e)}`);
    });
  });

  after(async () => {
    await bed?.close();
  });

  /** Where a hotspot of the current scene is in the XR world (metres), as the hotspot layer placed it. */
  const hotspotAt = (id: string): Promise<{ x: number; y: number; z: number }> =>
    page.evaluate((hotspotId) => {
      const placed = window.tourTest.player.hotspots.getHotspots().find((hotspot) => hotspot.id === hotspotId);
      if (!placed) throw new Error(`no hotspot ${hotspotId} in the scene`);
      return placed.worldPosition;
    }, id);

  test('enter VR, narration and info card in the scene, a controller ray on a hotspot changes scene, exit VR', async () => {
    assert.deepEqual(await page.evaluate(() => window.tourTest.scenes.map((scene) => scene.id)), ['square']);
    await page.getByRole('button', { name: 'Enter VR' }).click();
    await headset.waitForPresenting(true);

    // The scene's narration is drawn on its panel in the scene while presenting.
    await page.waitForFunction(() => window.tourTest.renderer.getCaption()?.visible === true);
    assert.equal(await page.evaluate(() => window.tourTest.renderer.getCaption()?.text), 'Welcome to the square.');
    const eyes: EyesFrame = await headset.readEyes();
    assert.ok(eyes.left.litShare > 0.5 && eyes.right.litShare > 0.5, `both eyes show the scene: ${JSON.stringify(eyes)}`);

    // The ray on the clock tower: its info card opens in the scene.
    await headset.selectAt(await hotspotAt('clock'));
    await page.waitForFunction(() => window.tourTest.player.infoPanel.getCard()?.visible === true);
    // Drawn in both eyes: its dark panel is in front of the viewer (the picture has no near-black pixels).
    const withCard = await headset.readEyes();
    for (const eye of ['left', 'right'] as const) {
      assert.ok(eyes[eye].darkShare < 0.005 && withCard[eye].darkShare > 0.02, `${eye} eye: dark share ${eyes[eye].darkShare} -> ${withCard[eye].darkShare}`);
      assert.ok(
        withCard[eye].centre.every((c) => c < 48),
        `${eye} eye looks at the card: rgb(${withCard[eye].centre.join(',')})`,
      );
    }
    assert.deepEqual(await page.evaluate(() => window.tourTest.infos.at(-1)), {
      hotspotId: 'clock',
      title: 'Clock tower',
      text: 'Built in 1755.',
      imageUrl: null,
    });
    assert.equal(await page.evaluate(() => window.tourTest.player.sceneIndex), 0, 'an info card keeps the scene');
    // While the card shows, a trigger closes it rather than choosing a hotspot behind it.
    await headset.pressTrigger();
    await page.waitForFunction(() => window.tourTest.player.infoPanel.getCard() === null);

    // The ray on the doorway: the harbour opens, with its own narration in the scene.
    await headset.selectAt(await hotspotAt('to-harbour'));
    await page.waitForFunction(() => window.tourTest.scenes.length === 2, undefined, { timeout: 30_000 });
    assert.deepEqual(await page.evaluate(() => window.tourTest.scenes.at(-1)), { id: 'harbour', via: 'ray', throughHotspotId: 'to-harbour' });
    await page.waitForFunction(() => window.tourTest.renderer.getCaption()?.text === 'Boats leave at dawn.');
    assert.equal(await page.evaluate(() => window.tourTest.renderer.getCaption()?.visible), true);
    const selects = await headset.selects();
    assert.equal(selects.length, 3, JSON.stringify(selects));

    await page.getByRole('button', { name: 'Exit VR' }).dispatchEvent('click');
    await headset.waitForPresenting(false);
    await page.getByRole('button', { name: 'Enter VR' }).waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => window.tourTest.renderer.getCaption()?.visible), false, 'on screen the page shows narration itself');
  });
});
