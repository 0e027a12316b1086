// The upload page end to end in Chromium: a creator drops a real 360° MP4 on /upload, fills in the
// details, the page sends it with tus-js-client (paused and resumed midway), follows the processing
// (real ffmpeg on the origin's job queue) to `ready`, shows the stitch-check report, and the video plays.
// Captions chosen in the form (a broken file refused there) are sent once the video is ready and end up
// in the HLS master as a SUBTITLES rendition.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { generateEquirectFixture } from '@spherecast/shared/media';
import { axeViolations, describeViolations } from '@spherecast/shared/testing/axe';
import { SESSION_COOKIE } from '../../src/core/sessions.ts';
import { ARTIFACTS, launchChromium } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { startStack, type Stack } from './support/stack.ts';

const ENGLISH_VTT = 'WEBVTT\n\n00:00.000 --> 00:01.500\nHello from the upload page\n';

describe('upload page', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let clip: string;

  before(async () => {
    await buildPlayerApp();
    // Small tus chunks are set by the page (8 MiB); the clip is ~100 KB, so pausing is done by throttling the network below.
    stack = await startStack({ processing: { transcode: { preset: 'ultrafast', segmentSeconds: 1 } } });
    clip = path.join(stack.workDir, 'gaming-session.mp4');
    await generateEquirectFixture({ out: clip, seconds: 2, width: 512, fps: 24, interp: 'linear', videoPreset: 'ultrafast' });
    browser = await launchChromium();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  test('a creator uploads a 360° video from the browser, pauses and resumes, sees it processed with its stitch report, and watches it', async () => {
    const { token } = await stack.register('browser_creator');
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: SESSION_COOKIE, value: token, url: stack.url }]);
    const page = await context.newPage();
    // A creator finds the page from the main navigation.
    await page.goto(`${stack.url}/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Upload' }).click();
    await page.getByRole('heading', { name: 'Upload a 360° video' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/upload');
    const form = await axeViolations(page, 'serious');
    assert.deepEqual(form, [], describeViolations('upload form', form));

    await page.getByLabel('Choose a file').setInputFiles(clip);
    assert.equal(await page.getByLabel('Title').inputValue(), 'gaming-session', 'the title starts from the file name');
    await page.getByLabel('Title').fill('My VR gaming session');
    await page.getByLabel('Tags (separated by commas)').fill('gaming, vr');
    await page.getByLabel('Visibility').selectOption('unlisted');
    // Captions: a broken file is refused in the form with the line to fix; a good one is queued.
    await page.getByLabel('Language').fill('en');
    await page.getByLabel('Caption label').fill('English');
    const vttFile = page.getByLabel('WebVTT file');
    await vttFile.setInputFiles({ name: 'broken.srt', mimeType: 'text/plain', buffer: Buffer.from('1\n00:00:01,000 --> 00:00:02,000\nsrt\n') });
    await page.getByRole('button', { name: 'Add captions' }).click();
    await page
      .getByTestId('caption-error')
      .getByText(/WebVTT file: not valid WebVTT: line 1/)
      .waitFor();
    assert.equal(await page.getByTestId('caption-row').count(), 0, 'the broken file is not queued');
    await vttFile.setInputFiles({ name: 'english.vtt', mimeType: 'text/vtt', buffer: Buffer.from(ENGLISH_VTT) });
    await page.getByRole('button', { name: 'Add captions' }).click();
    const captionRow = page.getByTestId('caption-row').and(page.locator('[data-lang="en"]'));
    assert.equal(await captionRow.getAttribute('data-state'), 'queued');

    // A slow connection, so that the upload can be paused while it runs.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 50, downloadThroughput: 1_000_000, uploadThroughput: 20_000 });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('button', { name: 'Pause' }).click();
    const status = page.getByTestId('upload-status');
    assert.equal(await status.getAttribute('data-status'), 'uploading');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await page.getByRole('button', { name: 'Resume' }).click();

    await page.locator('[data-testid="upload-status"][data-status="ready"], [data-testid="upload-status"][data-status="failed"]').waitFor({ timeout: 120_000 });
    assert.equal(await status.getAttribute('data-status'), 'ready', await page.locator('.upload-progress').innerText());
    await page.getByTestId('stitch-report').waitFor();
    await captionRow.and(page.locator('[data-state="sent"], [data-state="failed"]')).waitFor({ timeout: 30_000 });
    assert.equal(await captionRow.getAttribute('data-state'), 'sent', await captionRow.innerText());
    assert.match(await page.getByTestId('stitch-report').innerText(), /Stitch check: (pass|warn)/);
    const done = await axeViolations(page, 'serious');
    assert.deepEqual(done, [], describeViolations('upload page when ready', done));
    await page.screenshot({ path: path.join(ARTIFACTS, 'upload-ready.png') });

    await page.getByRole('link', { name: 'Watch it now' }).click();
    await page.waitForURL(/\/watch\//);
    await page.waitForFunction(
      () => {
        const video = document.querySelector('video');
        return video !== null && video.readyState >= 2 && video.videoWidth === 512;
      },
      undefined,
      { timeout: 60_000 },
    );
    const contentId = new URL(page.url()).pathname.split('/').pop()!;
    const detail = await stack.http<{ title: string; visibility: string; tags: string[]; status: string }>(
      'GET',
      `/api/content/${contentId}`,
      undefined,
      token,
    );
    assert.deepEqual([detail.title, detail.visibility, detail.tags, detail.status], ['My VR gaming session', 'unlisted', ['gaming', 'vr'], 'ready']);
    const captions = await stack.http<{ tracks: unknown[] }>('GET', `/api/content/${contentId}/captions`, undefined, token);
    assert.deepEqual(captions.tracks, [{ lang: 'en', label: 'English', playlist: 'captions/en.m3u8' }]);
    const playback = await stack.http<{ masterUrl: string }>('GET', `/api/streaming/${contentId}`, undefined, token);
    const master = await (await fetch(new URL(playback.masterUrl, stack.url))).text();
    assert.match(master, /#EXT-X-MEDIA:TYPE=SUBTITLES,.*NAME="English",LANGUAGE="en",.*URI="captions\/en\.m3u8"/);
  });
});
