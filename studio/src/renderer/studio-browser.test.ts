// The studio UI in real Chromium (playwright-core) against the real engine in browser-only mode:
// a renderer built by Vite, served by StudioServer, working on ffmpeg-generated fixtures.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@spherecast/shared/testing';
import type { Browser, Locator, Page } from 'playwright-core';
import { build } from 'vite';
import { generateEquirectFixture } from '@spherecast/shared/media';
import { createOriginClient } from '@spherecast/origin/client';
import { StudioServer } from '../engine/http/studio-server.ts';
import { StudioEngine } from '../engine/studio-engine.ts';

const CAPTIONS_VTT = 'WEBVTT\n\n00:00.000 --> 00:01.000\nHello from the studio\n';

const studioRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifacts = path.resolve(studioRoot, '..', 'test-artifacts');

/** Pixel statistics of a screenshot, decoded by the browser itself (PNG → 2D canvas → getImageData). */
async function pixelStats(page: Page, target: Locator): Promise<{ distinctColours: number; meanLuma: number; lumaStd: number }> {
  const png = await target.screenshot();
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d context');
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set<number>();
    let sum = 0;
    let sumSq = 0;
    const pixels = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i] ?? 0;
      const g = data[i + 1] ?? 0;
      const b = data[i + 2] ?? 0;
      colours.add(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3));
      const luma = 0.299 * r + 0.587 * g + 0.114 * b;
      sum += luma;
      sumSq += luma * luma;
    }
    const mean = sum / pixels;
    return { distinctColours: colours.size, meanLuma: mean, lumaStd: Math.sqrt(Math.max(0, sumSq / pixels - mean * mean)) };
  }, png.toString('base64'));
}

/** Waits until a locator's screenshot differs from `before` (the renderer draws on its next frame). */
async function waitForPixelsToChange(target: Locator, before: Buffer): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (!(await target.screenshot()).equals(before)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail('the preview did not change');
}

/** Records every state the job cards show from now on; the returned function gives them in order. */
async function watchJobs(page: Page): Promise<() => Promise<string[]>> {
  // A string, not a function: tsx's keepNames helpers (__name) do not exist in the page.
  await page.evaluate(`(() => {
    const seen = [];
    window.__jobStates = seen;
    new MutationObserver(() => {
      const state = document.querySelector('[data-testid="job"]')?.getAttribute('data-state');
      if (state && seen[seen.length - 1] !== state) seen.push(state);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  })()`);
  return () => page.evaluate<string[]>('[...window.__jobStates]');
}

describe('Studio in the browser (browser-only mode)', () => {
  let dir: string;
  let engine: StudioEngine;
  let server: StudioServer;
  let browser: Browser;
  let page: Page;
  let clipPath: string;
  let longClipPath: string;
  let origin: { url: string; close(): Promise<void> } | null = null;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-browser-'));
    await mkdir(artifacts, { recursive: true });
    const rendererDir = path.join(dir, 'web');
    const [clip, longClip] = await Promise.all([
      generateEquirectFixture({ out: path.join(dir, 'media', 'reef dive.mp4'), seconds: 2, width: 512, fps: 15 }),
      // Long enough that a transcode is still running when the test looks (progress, cancel).
      generateEquirectFixture({ out: path.join(dir, 'media', 'long walk.mp4'), seconds: 20, width: 768, fps: 30, audio: false }),
      build({ configFile: path.join(studioRoot, 'vite.web.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, sourcemap: false } }),
    ]);
    clipPath = clip.file;
    longClipPath = longClip.file;
    engine = new StudioEngine({ dataDir: path.join(dir, 'data'), warn: () => undefined });
    await engine.start();
    server = new StudioServer({ engine, rendererDir, logError: (message) => console.error(message) });
    await server.start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => console.error('page error:', error.message));
    await page.goto(server.url);
  });

  afterEach(async (t) => {
    // A failing test leaves a picture of the page behind for whoever reads the log.
    const failed = (t as unknown as { passed?: boolean }).passed === false;
    if (failed && page) await page.screenshot({ path: path.join(artifacts, `studio-failed-${t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`) });
  });

  after(async () => {
    await origin?.close();
    await browser?.close();
    await server?.destroy();
    await engine?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the empty library with what to do', async () => {
    await page.getByText('No projects yet').waitFor();
    await page.getByText('Open a 360° video or photo').waitFor();
  });

  it('explains a wrong path instead of adding it', async () => {
    await page.getByLabel('Or open a file by its path on this computer').fill(path.join(dir, 'missing.mp4'));
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByText(/No file at .*missing\.mp4/).waitFor();
  });

  it('opens a file by path and renders the 360° preview (canvas not blank)', async () => {
    await page.getByLabel('Or open a file by its path on this computer').fill(clipPath);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByTestId('project-title').filter({ hasText: 'reef dive' }).waitFor();
    await page.getByText('512×256').first().waitFor();
    const canvas = page.getByTestId('preview-canvas');
    await canvas.waitFor();
    await page.getByText('Loading preview…').waitFor({ state: 'detached', timeout: 30_000 });
    // Give the render loop a few frames with the video texture.
    await page.waitForTimeout(500);
    const stats = await pixelStats(page, canvas);
    assert.ok(stats.distinctColours > 50, `the preview shows a picture, not a flat fill (${JSON.stringify(stats)})`);
    assert.ok(stats.lumaStd > 10, `the preview has contrast (${JSON.stringify(stats)})`);

    // Drag to look around: the view's yaw changes.
    const hud = page.getByTestId('preview-hud');
    const before = await hud.textContent();
    const box = await canvas.boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 200, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    assert.notEqual(await hud.textContent(), before, 'dragging turned the view');
    // Scrolling zooms: the field of view narrows.
    await page.mouse.wheel(0, -300);
    await page.waitForFunction(() => !/fov 75°/.test(document.querySelector('[data-testid="preview-hud"]')?.textContent ?? ''));
    await page.screenshot({ path: path.join(artifacts, 'studio-preview.png') });

    // A stereo layout shows one eye: the picture changes, and the project remembers the choice.
    const mono = await canvas.screenshot();
    await page.getByTestId('projection-select').selectOption('stereo-top-bottom');
    await waitForPixelsToChange(canvas, mono);
    const stored = engine.store.list().find((project) => project.sourcePath === clipPath);
    assert.equal(stored?.projection, 'stereo-top-bottom');
    await page.getByTestId('projection-select').selectOption('equirectangular-mono');
  });

  it('runs the stitch check and shows the report; a finding turns the preview to it', async () => {
    await page.getByTestId('run-check').click();
    const report = page.getByTestId('check-report');
    await report.waitFor({ timeout: 120_000 });
    await page.getByTestId('check-verdict').waitFor();
    const findings = page.getByTestId('finding');
    assert.ok((await findings.count()) >= 4, 'every check of the report is listed');
    const seam = findings.filter({ hasText: 'seam-continuity' });
    await seam.getByTestId('finding-jump').click();
    await page.waitForFunction(() => /yaw 180°|yaw -180°/.test(document.querySelector('[data-testid="preview-hud"]')?.textContent ?? ''), undefined, {
      timeout: 5000,
    });
    // The seam overlay draws the 0/360° line the view now faces.
    const withoutSeam = await page.getByTestId('preview-canvas').screenshot();
    await page.getByTestId('seam-toggle').check();
    await waitForPixelsToChange(page.getByTestId('preview-canvas'), withoutSeam);
    await page.screenshot({ path: path.join(artifacts, 'studio-check.png') });
  });

  it('starts a transcode and shows its progress, then done', async () => {
    await page.getByTestId('project-item').filter({ hasText: 'reef dive' }).click();
    await page.getByRole('tab', { name: 'Ladder' }).click();
    await page.getByTestId('ladder-table').waitFor();
    const seen = await watchJobs(page);
    await page.getByTestId('start-transcode').click();
    const job = page.getByTestId('job').first();
    await job.and(page.locator('[data-state="done"]')).waitFor({ timeout: 180_000 });
    const states = await seen();
    assert.ok(states.includes('running'), `the job was shown running (${states.join(' → ')})`);
    assert.equal(states.at(-1), 'done');
    await page.screenshot({ path: path.join(artifacts, 'studio-transcode.png') });
  });

  it('cancels a running transcode', async () => {
    await page.getByLabel('Or open a file by its path on this computer').fill(longClipPath);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByTestId('project-title').filter({ hasText: 'long walk' }).waitFor();
    await page.getByRole('tab', { name: 'Ladder' }).click();
    await page.getByTestId('ladder-table').waitFor();
    await page.getByTestId('start-transcode').click();
    const running = page.getByTestId('job').and(page.locator('[data-state="running"]'));
    await running.waitFor({ timeout: 60_000 });
    // Progress moves before we cancel: the bar is live, not a placeholder.
    await page.waitForFunction(() => Number(document.querySelector<HTMLProgressElement>('[data-testid="job-progress"]')?.value ?? 0) > 0, undefined, {
      timeout: 60_000,
    });
    await running.getByTestId('job-cancel').click();
    await page.getByTestId('job').and(page.locator('[data-state="cancelled"]')).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(artifacts, 'studio-job-cancelled.png') });
  });

  it('uploads a chosen or dropped file into the data folder (browser mode) and opens it', async () => {
    await page.getByTestId('file-input').setInputFiles(clipPath);
    await page.getByTestId('project-item').filter({ hasText: 'reef dive' }).nth(1).waitFor({ timeout: 60_000 });
    const uploaded = engine.store.list().find((project) => project.uploaded);
    assert.ok(uploaded, 'a project made from the upload');
    assert.ok(uploaded.sourcePath.startsWith(path.join(engine.dataDir, 'uploads')), uploaded.sourcePath);
    await page.getByTestId('preview-canvas').waitFor();

    // Dropping a file on the drop zone uploads it the same way (a browser gives no path).
    await page.evaluate(`(async () => {
      const bytes = await (await fetch(${JSON.stringify(`/media/projects/${uploaded.id}/source`)})).arrayBuffer();
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'dropped clip.mp4', { type: 'video/mp4' }));
      document.querySelector('[data-testid="dropzone"]').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    })()`);
    await page.getByTestId('project-title').filter({ hasText: 'dropped clip' }).waitFor({ timeout: 60_000 });
  });

  it('signs in to a real origin and publishes the transcoded ladder', async (t) => {
    let createOrigin: ((options: Record<string, unknown>) => Promise<{ url: string; close(): Promise<void> }>) | undefined;
    try {
      ({ createOrigin } = (await import('@spherecast/origin')) as { createOrigin: typeof createOrigin });
    } catch (error) {
      t.skip(`@spherecast/origin does not load yet: ${(error as Error).message}`);
      return;
    }
    if (!createOrigin) {
      t.skip('@spherecast/origin exports no createOrigin yet');
      return;
    }
    const originDir = path.join(dir, 'origin');
    origin = await createOrigin({
      port: 0,
      host: '127.0.0.1',
      dataDir: originDir,
      mediaDir: path.join(originDir, 'media'),
      databaseUrl: undefined,
      seedDemo: false,
      trackerUrl: 'ws://127.0.0.1:1/tracker',
    });
    await createOriginClient({ baseUrl: origin.url }).api.auth.register.mutate({
      username: 'diver',
      email: 'diver@example.test',
      password: 'correct-horse-1',
      role: 'creator',
    });

    // The project made from the path (the upload has the same name): it has the finished transcode.
    await page.locator(`[data-testid="project-item"]:has([title="${clipPath}"])`).click();
    await page.getByRole('tab', { name: 'Publish' }).click();
    await page.getByLabel('Origin URL').fill(origin.url);
    await page.getByLabel('Username or email').fill('diver');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Sign-in failed.').waitFor();
    await page.getByLabel('Password').fill('correct-horse-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in').waitFor();

    await page.getByLabel('Title').fill('Reef dive at dawn');
    await page.getByLabel('Description').fill('A slow descent along the reef wall.');
    await page.getByLabel('Tags').fill('diving, reef');
    await page.getByLabel('Genre').fill('nature');
    await page.getByLabel('Place').fill('Blue Hole, Dahab');
    await page.getByLabel('Latitude').fill('28.572');
    await page.getByLabel('Longitude').fill('34.537');
    // Captions: a broken file is refused in the form (the origin's own WebVTT check), a good one is listed.
    await page.getByLabel('Language').fill('en');
    await page.getByLabel('Caption label').fill('English');
    await page
      .getByLabel('WebVTT file')
      .setInputFiles({ name: 'broken.srt', mimeType: 'text/plain', buffer: Buffer.from('1\n00:00:01,000 --> 00:00:02,000\nsrt\n') });
    await page.getByRole('button', { name: 'Add captions' }).click();
    await page.getByText(/vtt: not valid WebVTT: line 1/).waitFor();
    await page.getByLabel('WebVTT file').setInputFiles({ name: 'english.vtt', mimeType: 'text/vtt', buffer: Buffer.from(CAPTIONS_VTT) });
    await page.getByRole('button', { name: 'Add captions' }).click();
    await page.getByTestId('caption-item').filter({ hasText: 'English (en) · english.vtt · 1 cues' }).waitFor();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const published = page.getByTestId('job').and(page.locator('[data-kind="publish"]'));
    await published.and(page.locator('[data-state="done"], [data-state="failed"]')).waitFor({ timeout: 180_000 });
    assert.equal(await published.getAttribute('data-state'), 'done', (await published.textContent()) ?? '');
    const publishJob = engine.jobs.list().find((job) => job.kind === 'publish' && job.state === 'done');
    const contentId = publishJob?.output?.contentId;
    assert.ok(contentId, 'the publish job names the content it created');
    const client = createOriginClient({ baseUrl: origin.url });
    const content = await client.api.content.get.query({ id: contentId });
    assert.equal(content.title, 'Reef dive at dawn');
    assert.equal(content.status, 'ready');
    assert.deepEqual(content.tags, ['diving', 'reef']);
    // Content details carry no playback URLs: the playback payload names the master.
    const playback = await client.api.streaming.start.query({ id: contentId });
    assert.ok(playback.masterUrl, 'the published content has a master playlist');
    const master = await fetch(new URL(playback.masterUrl, origin.url));
    assert.equal(master.status, 200);
    const masterText = await master.text();
    assert.match(masterText, /#EXTM3U/);
    // The captions from the form are a SUBTITLES rendition of the published master, and the .vtt is served.
    assert.match(masterText, /#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",.*URI="captions\/en\.m3u8"/);
    assert.deepEqual((await client.api.content.captions.query({ id: contentId })).tracks, [{ lang: 'en', label: 'English', playlist: 'captions/en.m3u8' }]);
    assert.equal(await (await fetch(new URL('captions/en.vtt', new URL(playback.masterUrl, origin.url)))).text(), CAPTIONS_VTT);
    await page.screenshot({ path: path.join(artifacts, 'studio-published.png') });
  });
});
