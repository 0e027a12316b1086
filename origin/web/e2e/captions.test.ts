// Captions end to end: a creator adds WebVTT subtitles in two languages through the API to a ladder
// made by the media engine; a viewer in Chromium picks a language from the captions menu (keyboard
// and mouse), sees the cue of the moment over the 360 view, switches language and turns them off;
// in WebXR (IWER's emulated Quest 3) the cue is drawn on the headset's view.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { makeTestLadder } from './support/ladder.ts';
import { startStack, type Stack } from './support/stack.ts';
import { axeViolations, describeViolations } from '@spherecast/shared/testing/axe';

const ENGLISH = 'WEBVTT\n\n00:00.000 --> 00:04.000\nHello from the <i>reef</i>\n\n00:04.000 --> 00:08.000\nFish &amp; corals ahead\n';
const FRENCH = 'WEBVTT\n\n00:00.000 --> 00:08.000\nBonjour du récif\n';

describe('captions in the web player', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let contentId: string;

  before(async () => {
    await buildPlayerApp();
    stack = await startStack();
    const ladder = await makeTestLadder(path.join(stack.workDir, 'ladder-work'), 8, 384);
    const { token } = await stack.register('caption_creator');
    contentId = await stack.publish(token, ladder.dir, { title: 'Reef with subtitles', durationSeconds: 8 });
    await stack.http('PUT', `/api/content/${contentId}/captions/en`, { label: 'English', vtt: ENGLISH }, token);
    await stack.http('PUT', `/api/content/${contentId}/captions/fr`, { label: 'Français', vtt: FRENCH }, token);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 800, height: 600 } });
    // WebXR: IWER's emulated Quest 3 where the browser would expose navigator.xr (127.0.0.1 is a secure context).
    const iwer = await readFile(createRequire(import.meta.url).resolve('iwer/build/iwer.min.js'), 'utf8');
    await context.addInitScript({ content: `${iwer}\n;new IWER.XRDevice(IWER.metaQuest3).installRuntime({ forceInstall: true });` });
    page = await context.newPage();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  /** Pauses the video at `seconds` and waits until it is there. */
  async function pauseAt(seconds: number): Promise<void> {
    await page.evaluate(async (at) => {
      const video = document.querySelector('video')!;
      video.pause();
      video.currentTime = at;
      await new Promise((resolve) => video.addEventListener('seeked', resolve, { once: true }));
    }, seconds);
  }

  const caption = () => page.getByTestId('caption');

  test('the viewer picks a language from the captions menu with the keyboard and sees the cue of the moment', async () => {
    await page.goto(`${stack.url}/watch/${contentId}`);
    const button = page.getByRole('button', { name: 'CC captions: off' });
    await button.waitFor({ timeout: 30_000 });
    await pauseAt(1);
    assert.equal(await caption().count(), 0, 'captions are off until the viewer asks');

    await button.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: 'Captions' });
    await menu.waitFor();
    assert.deepEqual(await menu.getByRole('menuitemradio').allTextContents(), ['Off', 'English', 'Français']);
    // The checked item has focus; arrow down to English, Enter chooses it and gives focus back to the button.
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Off');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'CC captions: English' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'CC captions: English');

    await caption().filter({ hasText: 'Hello from the reef' }).waitFor({ timeout: 20_000 });
    assert.equal(await caption().getAttribute('lang'), 'en');
    const shown = await axeViolations(page, 'serious');
    assert.deepEqual(shown, [], describeViolations('watch page showing a caption', shown));
    await page.screenshot({ path: path.join(ARTIFACTS, 'captions-english.png') });
    // Cue timing follows the video (no offset between the WebVTT and the media timeline); entities are decoded.
    await pauseAt(5.5);
    await caption().filter({ hasText: 'Fish & corals ahead' }).waitFor({ timeout: 20_000 });
    await pauseAt(1.5);
    await caption().filter({ hasText: 'Hello from the reef' }).waitFor({ timeout: 20_000 });
  });

  test('switching language with the mouse, turning captions off, and `c` to turn them back on', async () => {
    await page.locator('.stage').hover();
    await page.getByTestId('captions').click();
    await page.getByRole('menuitemradio', { name: 'Français' }).click();
    await caption().filter({ hasText: 'Bonjour du récif' }).waitFor({ timeout: 20_000 });
    assert.equal(await caption().getAttribute('lang'), 'fr');

    await page.getByTestId('captions').click();
    await page.getByRole('menuitemradio', { name: 'Off' }).click();
    await caption().waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'CC captions: off' }).waitFor();

    await page.locator('canvas.stage-canvas').focus();
    await page.keyboard.press('c');
    await caption().filter({ hasText: 'Bonjour du récif' }).waitFor({ timeout: 20_000 });
    // The choice is remembered for the next video.
    assert.equal(await page.evaluate(() => localStorage.getItem('spherecast.captions')), 'fr');
  });

  test('in WebXR the cue is drawn in the headset view, and goes when captions are turned off', async () => {
    await page.getByRole('button', { name: 'Enter VR' }).click();
    await page.getByRole('button', { name: 'Exit VR' }).waitFor({ timeout: 20_000 });
    const canvas = page.locator('canvas.stage-canvas');
    // The video is paused: between two shots only the caption panel can change the picture.
    const whitePixels = async (file: string): Promise<number> => {
      await page.waitForTimeout(500);
      const png = await canvas.screenshot({ path: path.join(ARTIFACTS, file) });
      return page.evaluate(async (b64) => {
        const image = new Image();
        image.src = `data:image/png;base64,${b64}`;
        await image.decode();
        const c = document.createElement('canvas');
        c.width = image.width;
        c.height = image.height;
        const g = c.getContext('2d')!;
        g.drawImage(image, 0, 0);
        const { data } = g.getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i]! >= 235 && data[i + 1]! >= 235 && data[i + 2]! >= 235) n += 1;
        return n;
      }, png.toString('base64'));
    };
    const withCaption = await whitePixels('captions-xr-on.png');
    // In the headset the page is out of sight (IWER's view covers it): `c` on the stage turns captions off.
    await page.locator('.stage').dispatchEvent('keydown', { key: 'c', bubbles: true });
    await caption().waitFor({ state: 'detached' });
    const without = await whitePixels('captions-xr-off.png');
    assert.ok(withCaption - without > 150, `near-white pixels in the headset view: ${withCaption} with the caption, ${without} without`);
    await page.getByRole('button', { name: 'Exit VR' }).dispatchEvent('click');
    await page.getByRole('button', { name: 'Enter VR' }).waitFor({ timeout: 20_000 });
  });
});
