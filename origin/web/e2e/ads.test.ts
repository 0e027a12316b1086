// The advertiser's page end to end in Chromium (#14): an admin makes an account an advertiser, the
// advertiser finds /ads in the navigation, creates a campaign with a flat creative from the form (sent
// with tus, processed by the origin's pipeline to `ready`), and reads the campaign's report once a
// viewer's impression beacon came.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { adAssetListSchema } from '@spherecast/shared';
import { SESSION_COOKIE } from '../../src/core/sessions.ts';
import { launchChromium } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { startStack, type Stack } from './support/stack.ts';

const run = promisify(execFile);

describe('advertiser page', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let clip: string;

  before(async () => {
    await buildPlayerApp();
    stack = await startStack({ processing: { transcode: { preset: 'ultrafast', segmentSeconds: 1 } } });
    clip = path.join(stack.workDir, 'spot.mp4');
    await run(process.env.FFMPEG_PATH ?? 'ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15:duration=1.5'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip],
    ]);
    browser = await launchChromium();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  test('an advertiser creates a campaign with a flat creative from the page, sees it ready, and reads its report', async () => {
    const admin = await stack.registerAdmin('ads_operator');
    const { token } = await stack.register('spot_brand', 'viewer');
    await stack.http('POST', '/api/ads/advertisers', { username: 'spot_brand' }, admin.token);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: SESSION_COOKIE, value: token, url: stack.url }]);
    const page = await context.newPage();
    await page.goto(`${stack.url}/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Ads' }).click();
    await page.getByRole('heading', { name: 'Ad campaigns' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/ads');

    const form = page.getByTestId('campaign-form');
    await form.getByLabel('Name').fill('Spring spot');
    await form.getByLabel('Video file').setInputFiles(clip);
    await form.getByLabel('Click-through URL').fill('https://spring.example/');
    await form.getByLabel('Budget (impressions)').fill('500');
    await form.getByLabel('Genres (comma-separated, empty: any)').fill('Sports');
    await form.getByRole('button', { name: 'Create campaign' }).click();
    await page.locator('[data-testid="creative-status"][data-status="ready"]').waitFor({ timeout: 120_000 });
    const card = page.getByTestId('campaign').filter({ hasText: 'Spring spot' });
    await card.getByText(/flat creative: ready/).waitFor({ timeout: 10_000 });

    // A creator's video with a pre-roll; a viewer gets the spot and its impression beacon counts.
    const creator = await stack.register('sports_maker');
    const contentId = (await stack.http<{ id: string }>('POST', '/api/content', { title: 'Match', genre: 'sports' }, creator.token)).id;
    await stack.origin.services.prisma.content.update({
      where: { id: contentId },
      data: { status: 'ready', durationSeconds: 30, publishedPath: `${contentId}/p1`, masterFile: 'master.m3u8' },
    });
    await stack.http('PUT', `/api/ads/placements/${contentId}`, { preroll: true }, creator.token);
    const list = adAssetListSchema.parse(await stack.http('GET', `/api/ads/assets?contentId=${contentId}&position=preroll&viewerId=page-test-viewer-01`));
    assert.equal(list.ASSETS[0]?.['X-SPHERECAST-AD'].clickThrough, 'https://spring.example/');
    assert.equal((await fetch(list.ASSETS[0]['X-SPHERECAST-AD'].tracking.impression![0]!)).status, 204);

    await card.getByRole('button', { name: 'Report' }).click();
    const report = card.getByTestId('campaign-report');
    await report.waitFor();
    assert.match(await report.innerText(), new RegExp(`${new Date().toISOString().slice(0, 10)}\\s+1\\s+0%\\s+0`));
  });
});
