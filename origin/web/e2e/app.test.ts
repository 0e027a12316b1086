// The player app as a viewer uses it, against a real origin: register, announcements, search with
// filters, content page, likes, ratings, threaded comments, follow, resume from history, 360 photos.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generateEquirectPhoto } from '@spherecast/shared/media';
import { ARTIFACTS, launchChromium, sleep } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { makeTestLadder } from './support/ladder.ts';
import { startStack, type Stack } from './support/stack.ts';

const CLIP_SECONDS = 16;

describe('player app', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let harbourId: string;
  let photoId: string;
  let ridgeId: string;

  before(async () => {
    await buildPlayerApp();
    stack = await startStack();
    const ladder = await makeTestLadder(path.join(stack.workDir, 'ladder-work'), CLIP_SECONDS);
    const creator = await stack.register('marina', 'creator');
    harbourId = await stack.publish(creator.token, ladder.dir, {
      title: 'Harbour at dawn',
      description: 'Fishing boats leaving the harbour.',
      tags: ['harbour', 'boats'],
      genre: 'travel',
      durationSeconds: CLIP_SECONDS,
      location: { placeName: 'Porto', latitude: 41.14, longitude: -8.61 },
    });
    ridgeId = await stack.publish(creator.token, ladder.dir, {
      title: 'Mountain ridge walk',
      tags: ['mountains'],
      genre: 'outdoors',
      durationSeconds: CLIP_SECONDS,
    });
    const photoDir = path.join(stack.workDir, 'photo');
    await generateEquirectPhoto({ out: path.join(photoDir, 'photo.jpg'), width: 1024 });
    photoId = await stack.publish(creator.token, photoDir, { title: 'Cathedral square panorama', kind: 'photo', master: 'photo.jpg', tags: ['city'] });

    // An admin publishes an announcement (admins are made in the database, as an operator would).
    const admin = await stack.register('operator', 'viewer');
    await stack.origin.services.prisma.user.update({ where: { id: admin.userId }, data: { role: 'admin' } });
    await stack.http(
      'POST',
      '/api/announcements',
      {
        title: 'Scheduled maintenance',
        body: 'Uploads pause on Sunday night.',
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      admin.token,
    );

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    page = await context.newPage();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  test('home shows the announcement banner and the published content', async () => {
    await page.goto(`${stack.url}/`);
    await page.getByText('Scheduled maintenance').waitFor();
    await page.getByRole('heading', { name: 'Recently published' }).waitFor();
    await page.getByRole('link', { name: 'Harbour at dawn' }).first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'app-home.png') });
    await page
      .getByRole('button', { name: 'Dismiss “Scheduled maintenance”' })
      .or(page.getByRole('button', { name: 'Dismiss "Scheduled maintenance"' }))
      .click();
    await page.getByText('Scheduled maintenance').waitFor({ state: 'detached' });
  });

  test('a visitor registers and lands back where they were', async () => {
    await page.goto(`${stack.url}/content/${harbourId}`);
    await page.getByRole('link', { name: 'Register' }).click();
    await page.getByLabel('Username').fill('viewer_vera');
    await page.getByLabel('Display name (optional)').fill('Vera');
    await page.getByLabel('Email').fill('vera@example.test');
    await page.getByLabel('Password').fill('a-long-password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Harbour at dawn' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/content/${harbourId}`);
    await page.getByRole('link', { name: 'Vera' }).waitFor();
  });

  test('search narrows results by words, tags and genre, and sorts', async () => {
    await page.getByRole('searchbox', { name: 'Search' }).fill('harbour');
    await page.getByRole('searchbox', { name: 'Search' }).press('Enter');
    await page.getByRole('heading', { name: 'Results for “harbour”' }).waitFor();
    await page.getByRole('link', { name: 'Harbour at dawn' }).first().waitFor();
    assert.equal(await page.getByRole('link', { name: 'Mountain ridge walk' }).count(), 0);

    await page.goto(`${stack.url}/search?tags=mountains`);
    await page.getByRole('link', { name: 'Mountain ridge walk' }).first().waitFor();
    assert.equal(await page.getByRole('link', { name: 'Harbour at dawn' }).count(), 0);

    await page.goto(`${stack.url}/search`);
    await page.getByLabel('Genre').fill('travel');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/genre=travel/);
    // The unfiltered results are on screen until the filtered ones replace them.
    await page.getByRole('link', { name: 'Mountain ridge walk' }).first().waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Harbour at dawn' }).first().waitFor();
    assert.equal(await page.getByRole('link', { name: 'Mountain ridge walk' }).count(), 0);

    await page.getByLabel('Type').selectOption('photo');
    await page.waitForURL(/kind=photo/);
    await page.getByText('No matches').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'app-search.png') });
  });

  test('like, rate, comment and reply on a content page; it is all there after a reload', async () => {
    await page.goto(`${stack.url}/content/${harbourId}`);
    await page.getByTestId('like').click();
    await page.getByTestId('like').filter({ hasText: '1 like' }).waitFor();
    await page.getByRole('radio', { name: '4 stars' }).click();
    await page.getByText('4.0 · 1 rating').waitFor();
    await page.getByRole('textbox', { name: 'Comment' }).fill('Lovely light on the water.');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    await page.getByText('Lovely light on the water.').waitFor();
    await page.getByRole('button', { name: 'Reply' }).first().click();
    await page.getByRole('textbox', { name: 'Reply' }).fill('Agreed, 6 am is the time.');
    await page.getByRole('button', { name: 'Reply', exact: true }).last().click();
    await page.getByText('Agreed, 6 am is the time.').waitFor();

    await page.reload();
    await page.getByTestId('like').filter({ hasText: '1 like' }).waitFor();
    assert.equal(await page.getByTestId('like').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.getByRole('radio', { name: '4 stars' }).getAttribute('aria-checked'), 'true');
    await page.getByText('Lovely light on the water.').waitFor();
    // The reply is shown inside its thread.
    await page.locator('.replies').getByText('Agreed, 6 am is the time.').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'app-content.png'), fullPage: true });

    await page.getByRole('link', { name: 'Likes' }).click();
    await page.getByRole('heading', { name: 'Liked' }).waitFor();
    await page.getByRole('link', { name: 'Harbour at dawn' }).first().waitFor();
    assert.equal(await page.getByRole('link', { name: 'Mountain ridge walk' }).count(), 0);
  });

  test('a failed "More comments" load tells the viewer, and trying again loads the page', async () => {
    const commenter = await stack.register('chatty', 'viewer');
    for (let i = 1; i <= 21; i++) await stack.http('POST', `/api/content/${ridgeId}/comments`, { body: `Ridge comment ${i}` }, commenter.token);
    await page.goto(`${stack.url}/content/${ridgeId}`);
    await page.getByText('Ridge comment 21', { exact: true }).waitFor();
    // The second page (the request that carries a cursor) is lost on the way.
    const secondPage = /\/trpc\/[^?]*engagement\.comments[^/]*cursor/;
    await page.route(secondPage, (route) => route.abort('internetdisconnected'));
    await page.getByRole('button', { name: 'More comments' }).click();
    const failure = page.getByRole('alert').filter({ hasText: 'Could not load more comments.' });
    await failure.waitFor();
    await page.unroute(secondPage);
    await page.getByRole('button', { name: 'More comments' }).click();
    await page.getByText('Ridge comment 1', { exact: true }).waitFor();
    assert.equal(await failure.count(), 0);
  });

  test('following a creator from their profile', async () => {
    await page.goto(`${stack.url}/u/marina`);
    await page.getByTestId('follower-count').filter({ hasText: '0 followers' }).waitFor();
    await page.getByTestId('follow').click();
    await page.getByTestId('follower-count').filter({ hasText: '1 follower' }).waitFor();
    await page.getByTestId('follow').filter({ hasText: 'Following' }).waitFor();
    await page.getByRole('link', { name: 'Harbour at dawn' }).first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'app-profile.png') });
  });

  test('watching resumes where the viewer stopped (heartbeats, history)', async () => {
    await page.goto(`${stack.url}/watch/${harbourId}`);
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 5, undefined, { timeout: 30_000 });
    await page.locator('.stage').hover();
    await page.getByTestId('play-toggle').click();
    const stoppedAt = await page.evaluate(() => document.querySelector('video')?.currentTime ?? 0);
    await sleep(500);
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'Watch history' }).waitFor();
    // The pause heartbeat records where playback stopped (to the second shown, within a slow machine's jitter).
    const stoppedText = await page
      .getByText(/Stopped at \d+:\d\d/)
      .first()
      .textContent({ timeout: 30_000 });
    const [, minutes, seconds] = /Stopped at (\d+):(\d\d)/.exec(stoppedText ?? '') ?? [];
    const recorded = Number(minutes) * 60 + Number(seconds);
    assert.ok(Math.abs(recorded - stoppedAt) <= 1.5, `history says ${stoppedText}, playback stopped at ${stoppedAt.toFixed(1)} s`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'app-history.png') });

    await page.goto(`${stack.url}/watch/${harbourId}`);
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0, undefined, { timeout: 30_000 });
    const resumedAt = await page.evaluate(() => document.querySelector('video')?.currentTime ?? 0);
    assert.ok(Math.abs(resumedAt - stoppedAt) < 2.5, `stopped at ${stoppedAt.toFixed(1)} s, resumed at ${resumedAt.toFixed(1)} s`);
  });

  test('a 360 photo is shown with the sphere renderer', async () => {
    await page.goto(`${stack.url}/watch/${photoId}`);
    await page.getByRole('heading', { name: 'Cathedral square panorama' }).waitFor();
    await page.waitForFunction(() => !document.querySelector('[aria-label="Loading photo"]'));
    await sleep(500);
    const shot = await page.locator('.stage canvas').screenshot({ path: path.join(ARTIFACTS, 'app-photo.png') });
    // A PNG of a drawn panorama is far larger than one of a blank black canvas.
    assert.ok(shot.length > 20_000, `photo canvas looks empty (${shot.length} bytes)`);
  });

  test('a photo counts one view once it has been on screen for a few seconds', async () => {
    const views = async () => (await stack.origin.services.prisma.content.findUniqueOrThrow({ where: { id: photoId }, select: { viewCount: true } })).viewCount;
    const before = await views();
    await page.goto(`${stack.url}/watch/${photoId}`);
    await page.waitForFunction(() => !document.querySelector('[aria-label="Loading photo"]'));
    await sleep(3000);
    assert.equal(await views(), before, 'not yet: a glance is not a view');
    const deadline = Date.now() + 10_000;
    while ((await views()) === before && Date.now() < deadline) await sleep(250);
    assert.equal(await views(), before + 1);
  });

  test('places lists located content on the world plot', async () => {
    await page.goto(`${stack.url}/places`);
    await page.getByRole('heading', { name: /Porto/ }).waitFor();
    await page.getByRole('link', { name: 'Harbour at dawn' }).first().waitFor();
    assert.equal(await page.locator('.world-pin').count(), 1);
  });
});
