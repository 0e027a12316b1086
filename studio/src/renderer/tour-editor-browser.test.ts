// The tour editor (#15) in real Chromium against the real studio engine in browser-only mode and a real
// origin: three published scenes linked by hotspots placed by clicking in the 360 preview, an info card and
// imported narration, scenes reordered, published as a guided tour that the origin then serves; a tour
// whose target went missing is refused at publish, and the editor names and shows the hotspot.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@spherecast/shared/testing';
import { axeViolations, describeViolations } from '@spherecast/shared/testing/axe';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { readyContent } from '@spherecast/origin/test-support/content-fixtures';
import { testDatabaseKinds } from '@spherecast/origin/test-support/databases';
import { startTestOrigin, type TestOrigin, type TestUser } from '@spherecast/origin/test-support/test-origin';
import { StudioServer } from '../engine/http/studio-server.ts';
import { StudioEngine } from '../engine/studio-engine.ts';

const studioRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifacts = path.resolve(studioRoot, '..', 'test-artifacts');
const NARRATION_VTT = 'WEBVTT\n\n00:00.000 --> 00:04.000\nWelcome to the harbour.\n\n00:04.000 --> 00:08.000\nBoats leave at dawn.\n';

/** The direction under a point of a pinhole view (vertical fov in degrees) looking at yaw 0, pitch 0. */
function expectedDirection(fov: number, width: number, height: number, x: number, y: number): { yaw: number; pitch: number } {
  const tanV = Math.tan(((fov / 2) * Math.PI) / 180);
  const cx = ((x / width) * 2 - 1) * tanV * (width / height);
  const cy = (1 - (y / height) * 2) * tanV;
  return { yaw: (Math.atan2(cx, 1) * 180) / Math.PI, pitch: (Math.atan2(cy, Math.hypot(cx, 1)) * 180) / Math.PI };
}

describe('Tour editor in the studio (browser-only mode)', () => {
  let dir: string;
  let engine: StudioEngine;
  let server: StudioServer;
  let browser: Browser;
  let page: Page;
  let origin: TestOrigin;
  let guide: TestUser;
  const content: Record<'harbour' | 'oldTown' | 'lighthouse' | 'cableCar', string> = { harbour: '', oldTown: '', lighthouse: '', cableCar: '' };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-tours-'));
    const rendererDir = path.join(dir, 'web');
    [origin] = await Promise.all([
      // PostgreSQL where it runs (CI): it starts in half the time of the embedded PGlite.
      testDatabaseKinds().then((kinds) => startTestOrigin(kinds.includes('postgres') ? 'postgres' : 'pglite')),
      build({ configFile: path.join(studioRoot, 'vite.web.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, sourcemap: false } }),
    ]);
    guide = await origin.user('guide');
    // Published scenes of the creator (ready, as finalize leaves them), oldest first.
    content.harbour = await readyContent(origin, guide, { kind: 'photo', title: 'Harbour' });
    content.oldTown = await readyContent(origin, guide, { kind: 'video', title: 'Old town' });
    content.lighthouse = await readyContent(origin, guide, { kind: 'photo', title: 'Lighthouse' });
    content.cableCar = await readyContent(origin, guide, { kind: 'photo', title: 'Cable car' });
    // Not scenes: an unfinished upload. A scene: a broadcast's recording (status ended).
    await readyContent(origin, guide, { kind: 'video', title: 'Unfinished', status: 'processing' });
    const recording = await readyContent(origin, guide, { kind: 'video', title: 'Sunset broadcast' });
    await origin.origin.services.prisma.content.update({ where: { id: recording }, data: { status: 'ended' } });
    // The harbour has a poster (an equirectangular test picture), as a published photo has; the others show the direction grid.
    const poster = origin.origin.services.media.publishedFile(`${content.harbour}/p1/poster.jpg`);
    await mkdir(path.dirname(poster), { recursive: true });
    await promisify(execFile)(process.env.FFMPEG_PATH ?? 'ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=512x256',
      '-frames:v',
      '1',
      poster,
    ]);
    await origin.origin.services.prisma.content.update({ where: { id: content.harbour }, data: { posterFile: 'poster.jpg' } });
    engine = new StudioEngine({ dataDir: path.join(dir, 'data'), warn: () => undefined });
    await engine.start();
    server = new StudioServer({ engine, rendererDir, logError: (message) => console.error(message) });
    await server.start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => console.error('page error:', error.message));
    await page.goto(`${server.url}/#/tours`);
  });

  after(async () => {
    await browser?.close();
    await server?.destroy();
    await engine?.destroy();
    await origin?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const canvas = () => page.getByTestId('tour-preview-canvas');

  /** Share of the preview's pixels (as composited on screen) with saturated colour. */
  async function saturatedShare(): Promise<number> {
    const png = await canvas().screenshot();
    return page.evaluate(async (base64) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const copy = document.createElement('canvas');
      copy.width = image.width;
      copy.height = image.height;
      const context = copy.getContext('2d');
      if (!context) throw new Error('no 2d context');
      context.drawImage(image, 0, 0);
      const data = context.getImageData(0, 0, copy.width, copy.height).data;
      let saturated = 0;
      for (let i = 0; i < data.length; i += 4) {
        const r = data[i] ?? 0;
        const g = data[i + 1] ?? 0;
        const b = data[i + 2] ?? 0;
        if (Math.max(r, g, b) - Math.min(r, g, b) > 100) saturated += 1;
      }
      return saturated / (data.length / 4);
    }, png.toString('base64'));
  }

  async function audit(screen: string): Promise<void> {
    const found = await axeViolations(page, 'serious');
    assert.equal(found.length, 0, describeViolations(screen, found));
  }

  /** Clicks the preview at a fraction of its size (0.5, 0.5: the centre) and returns where that was. */
  async function clickPreview(fx: number, fy: number): Promise<{ width: number; height: number; x: number; y: number }> {
    await canvas().scrollIntoViewIfNeeded();
    const box = await canvas().boundingBox();
    assert.ok(box);
    const x = box.width * fx;
    const y = box.height * fy;
    await page.mouse.click(box.x + x, box.y + y);
    return { width: box.width, height: box.height, x, y };
  }

  const currentScene = (title: string) => page.locator('[data-testid="tour-scene"].current').filter({ hasText: title });

  async function addScene(title: string, contentId: string): Promise<void> {
    await page.getByLabel('Published content for a new scene').selectOption(contentId);
    await page.getByRole('button', { name: 'Add scene' }).click();
    await currentScene(title).waitFor();
  }

  async function selectScene(title: string): Promise<void> {
    await page.getByRole('button', { name: new RegExp(`^\\d+\\. ${title}$`) }).click();
    await currentScene(title).waitFor();
  }

  it('authors three scenes with hotspots, an info card and narration, orders them and publishes a guided tour the origin serves', async () => {
    await page.getByLabel('Origin URL').fill(origin.url);
    await page.getByLabel('Username or email').fill('guide');
    await page.getByLabel('Password').fill('password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('tours-signed-in').waitFor();
    // Only the tour editor is on screen: the library (a hidden flex container) used to show below it.
    assert.equal(await page.getByText('No projects yet').isVisible(), false);

    const choices = page.getByLabel('Published content for a new scene').locator('option');
    await choices.filter({ hasText: 'Harbour' }).waitFor({ state: 'attached' });
    const offered = await choices.allTextContents();
    assert.deepEqual(offered.slice(1).sort(), [
      'Cable car (photo, public)',
      'Harbour (photo, public)',
      'Lighthouse (photo, public)',
      'Old town (video, public)',
      'Sunset broadcast (video, public)',
    ]);
    await page.getByLabel('Tour title').fill('Lisbon in three views');
    await page.getByLabel('Tour description').fill('From the water up to the light.');
    await page.getByLabel(/Guided: scenes advance/).check();
    // Added out of order, then the harbour moved up to be where the tour starts.
    await addScene('Old town', content.oldTown);
    await addScene('Harbour', content.harbour);
    await addScene('Lighthouse', content.lighthouse);
    await page.getByRole('button', { name: 'Move Harbour up' }).click();
    const order = await page.getByTestId('tour-scene').evaluateAll((items) => items.map((item) => item.querySelector('button')?.textContent));
    assert.deepEqual(order, ['1. Harbour', '2. Old town', '3. Lighthouse']);

    // Harbour: its poster in the 360 preview. The test picture is full of saturated colour; the direction
    // grid shown without a poster has none (its bluest grey differs by 51 between channels).
    await selectScene('Harbour');
    const deadline = Date.now() + 45_000;
    for (let share = await saturatedShare(); share < 0.25; share = await saturatedShare()) {
      assert.ok(Date.now() < deadline, `the preview shows no poster (${(share * 100).toFixed(1)}% saturated pixels)`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // A hotspot up and to the right of the centre, where the click was (the view is yaw 0, pitch 0, fov 75).
    const click = await clickPreview(0.75, 0.25);
    const expected = expectedDirection(75, click.width, click.height, click.x, click.y);
    const inspector = page.getByTestId('hotspot-inspector');
    await inspector.waitFor();
    const yaw = Number(await inspector.getByLabel('Yaw').inputValue());
    const pitch = Number(await inspector.getByLabel('Pitch').inputValue());
    assert.ok(Math.abs(yaw - expected.yaw) < 0.6 && Math.abs(pitch - expected.pitch) < 0.6, `placed at ${yaw}/${pitch}, clicked ${JSON.stringify(expected)}`);
    // It leads to the next scene by default; the marker sits where the click was.
    assert.equal(await inspector.getByLabel('Target scene').locator('option:checked').textContent(), 'Old town');
    await inspector.getByLabel('Hotspot label').fill('Into the old town');
    const marker = page.getByTestId('hotspot-marker').filter({ hasText: 'Into the old town' });
    const markerBox = await marker.boundingBox();
    const canvasBox = await canvas().boundingBox();
    assert.ok(markerBox && canvasBox);
    assert.ok(Math.abs(markerBox.x + markerBox.width / 2 - (canvasBox.x + click.x)) < 3, 'the marker is drawn where the hotspot was placed');
    assert.ok(Math.abs(markerBox.y + markerBox.height / 2 - (canvasBox.y + click.y)) < 3, 'the marker is drawn where the hotspot was placed');

    // A second hotspot, low on the left: an info card.
    await clickPreview(0.3, 0.7);
    await page.getByTestId('hotspot-inspector').and(page.locator('[data-hotspot-id="hotspot-2"]')).waitFor();
    await inspector.getByLabel('What it does').selectOption('info');
    await inspector.getByLabel('Hotspot label').fill('The fish market');
    await inspector.getByLabel('Card title').fill('Fish market');
    await inspector.getByLabel('Card text').fill('Open from 6 am; the catch comes in at dawn.');
    // Narration for the scene, imported from a WebVTT file.
    await page
      .getByLabel('Import narration text (.txt or .vtt)')
      .setInputFiles({ name: 'harbour.vtt', mimeType: 'text/vtt', buffer: Buffer.from(NARRATION_VTT) });
    const narration = page.getByTestId('scene-narration-text');
    await page.waitForFunction(() => document.querySelector<HTMLTextAreaElement>('[data-testid="scene-narration-text"]')?.value !== '');
    assert.equal(await narration.inputValue(), 'Welcome to the harbour. Boats leave at dawn.');
    // Narration audio: the chosen file goes through the engine to the origin, whose address fills in the field.
    const tone = path.join(dir, 'harbour.mp3');
    await promisify(execFile)(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=duration=1', tone]);
    await page.getByTestId('scene-narration-audio-file').setInputFiles(tone);
    await page.waitForFunction(
      () => document.querySelector<HTMLInputElement>('[data-testid="scene-narration-audio"]')?.value.startsWith('/media/tours/'),
      null,
      {
        timeout: 20_000,
      },
    );
    const audioUrl = await page.getByTestId('scene-narration-audio').inputValue();
    await page.getByLabel(/Seconds before the next scene/).fill('12');

    // Old town leads on to the lighthouse, the lighthouse back to the harbour (both by default: next, then first).
    await selectScene('Old town');
    assert.ok((await saturatedShare()) < 0.01, 'a scene without a poster shows the direction grid');
    await clickPreview(0.5, 0.5);
    assert.equal(await page.getByTestId('hotspot-inspector').getByLabel('Target scene').locator('option:checked').textContent(), 'Lighthouse');
    await selectScene('Lighthouse');
    await clickPreview(0.6, 0.5);
    assert.equal(await page.getByTestId('hotspot-inspector').getByLabel('Target scene').locator('option:checked').textContent(), 'Harbour');
    await page.getByTestId('tour-problems-none').waitFor();
    await page.screenshot({ path: path.join(artifacts, 'studio-tour-editor.png') });
    await audit('tour editor');

    await page.getByRole('button', { name: 'Publish tour' }).click();
    await page.getByTestId('tour-published').waitFor({ timeout: 20_000 });
    const tourId = (await page.getByTestId('tour-id').textContent())?.replace('Saved on the origin as ', '').trim();
    assert.ok(tourId);

    // The tour exists on the origin, for anyone, as authored.
    const tour = await origin.anonymous.tours.get({ id: tourId });
    assert.equal(tour.status, 'published');
    assert.equal(tour.title, 'Lisbon in three views');
    assert.equal(tour.mode, 'guided');
    assert.deepEqual(
      tour.scenes.map((scene) => [scene.title, scene.contentId, scene.content?.title]),
      [
        ['Harbour', content.harbour, 'Harbour'],
        ['Old town', content.oldTown, 'Old town'],
        ['Lighthouse', content.lighthouse, 'Lighthouse'],
      ],
    );
    const [harbour, oldTown, lighthouse] = tour.scenes;
    assert.ok(harbour && oldTown && lighthouse);
    assert.deepEqual(harbour.narration, { text: 'Welcome to the harbour. Boats leave at dawn.', audioUrl });
    assert.match(audioUrl, new RegExp(`^/media/tours/${tourId}/[0-9a-f]{16}\\.mp3$`), 'the audio belongs to the tour the editor saved');
    assert.equal(harbour.durationSeconds, 12);
    const [toOldTown, fishMarket] = harbour.hotspots;
    assert.deepEqual(toOldTown?.action, { kind: 'scene', targetSceneId: oldTown.id });
    assert.equal(toOldTown?.label, 'Into the old town');
    assert.ok(toOldTown && Math.abs(toOldTown.yaw - expected.yaw) < 0.6 && Math.abs(toOldTown.pitch - expected.pitch) < 0.6);
    assert.deepEqual(fishMarket?.action, { kind: 'info', title: 'Fish market', text: 'Open from 6 am; the catch comes in at dawn.', imageUrl: null });
    assert.deepEqual(
      oldTown.hotspots.map((hotspot) => hotspot.action),
      [{ kind: 'scene', targetSceneId: lighthouse.id }],
    );
    assert.deepEqual(
      lighthouse.hotspots.map((hotspot) => hotspot.action),
      [{ kind: 'scene', targetSceneId: harbour.id }],
    );
    await page.getByTestId('tours-list').getByText('Lisbon in three views').waitFor();
  });

  it('a tour whose target went missing is refused at publish, and the editor names and shows the hotspot', async () => {
    await page.getByRole('button', { name: 'New tour' }).click();
    await page.getByLabel('Tour title').fill('Up the hill');
    await addScene('Harbour', content.harbour);
    await addScene('Cable car', content.cableCar);
    await selectScene('Harbour');
    await clickPreview(0.5, 0.5);
    await page.getByTestId('hotspot-inspector').getByLabel('Hotspot label').fill('Ride up');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByTestId('tour-id').waitFor();

    // The cable car video is deleted on the origin after it was chosen.
    await guide.caller.content.delete({ id: content.cableCar });
    await page.getByRole('button', { name: 'Publish tour' }).click();
    const refusal = page.getByTestId('tour-refusal');
    await refusal.waitFor({ timeout: 20_000 });
    const issue = refusal.getByTestId('tour-refusal-issue').first();
    assert.equal(await issue.getAttribute('data-hotspot-id'), 'hotspot-1');
    assert.equal(await issue.getAttribute('data-scene-id'), 'scene-1');
    assert.match((await issue.textContent()) ?? '', /hotspot "hotspot-1" \(Ride up\) in scene "scene-1" leads to scene "scene-2" \(Cable car\)/);
    // The editor goes to the hotspot and marks it.
    await page.getByTestId('hotspot-inspector').and(page.locator('[data-hotspot-id="hotspot-1"]')).waitFor();
    await page.getByTestId('hotspot-marker').and(page.locator('.flagged')).filter({ hasText: 'Ride up' }).waitFor();

    // The creator drops the scene: the hotspot now leads to a scene the tour does not have, which the editor
    // says at once and the origin refuses, naming the hotspot again.
    await page.getByRole('button', { name: 'Remove scene Cable car' }).click();
    await page
      .getByTestId('tour-problems')
      .getByText(/hotspot "hotspot-1" \(Ride up\) in scene "scene-1".*leads to scene "scene-2", which is not in the tour/)
      .waitFor();
    await page.getByRole('button', { name: 'Publish tour' }).click();
    await refusal
      .getByTestId('tour-refusal-issue')
      .filter({ hasText: /hotspot "hotspot-1" \(Ride up\) in scene "scene-1" \(Harbour\) leads to scene "scene-2", which is not in the tour/ })
      .waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(artifacts, 'studio-tour-refused.png') });
    await audit('tour editor with a refusal');
    const tourId = (await page.getByTestId('tour-id').textContent())?.replace('Saved on the origin as ', '').trim();
    assert.ok(tourId);
    const saved = await guide.caller.tours.get({ id: tourId });
    assert.equal(saved.status, 'draft', 'a refused tour stays a draft');
    assert.equal(await page.getByTestId('tour-published').count(), 0);

    // The published tour opens again from the list, as saved on the origin.
    await page.getByTestId('tours-list').getByRole('button', { name: 'Lisbon in three views' }).click();
    await page.getByTestId('tour-scene').nth(2).waitFor();
    assert.equal(await page.getByLabel('Tour title').inputValue(), 'Lisbon in three views');
    const order = await page.getByTestId('tour-scene').evaluateAll((items) => items.map((item) => item.querySelector('button')?.textContent));
    assert.deepEqual(order, ['1. Harbour', '2. Old town', '3. Lighthouse']);
    assert.equal(await page.getByTestId('hotspot-marker').count(), 2);
  });
});
