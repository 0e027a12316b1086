// Tours in the web player (#15), in Chromium against a real origin and tracker: a three-scene tour made
// of published 360 clips (tiny ladders made by the media engine). Selecting a hotspot changes scene
// facing the right way (click, then gaze dwell), the next scene was loaded ahead, the narration and an
// info card show over the view; a guided tour turns the view towards the next point of interest and
// advances on its own to its end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TourCreateInput } from '@spherecast/shared';
import { SESSION_COOKIE } from '../../src/core/sessions.ts';
import { axeViolations, describeViolations } from '@spherecast/shared/testing/axe';
import { launchChromium } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { makeTestLadder } from './support/ladder.ts';
import { startStack, type Stack } from './support/stack.ts';

/** Reads the tour stage's data attributes. */
async function stageState(page: Page): Promise<Record<string, string>> {
  return page.getByTestId('tour-stage').evaluate((element) => ({ ...(element as HTMLElement).dataset }) as Record<string, string>);
}

/** Waits until the stage shows scene `sceneId`, and returns its attributes then. */
async function waitForScene(page: Page, sceneId: string, timeout = 20_000): Promise<Record<string, string>> {
  await page.locator(`[data-testid="tour-stage"][data-scene-id="${sceneId}"]`).waitFor({ timeout });
  return stageState(page);
}

/** Turns the view with the arrow keys (5 degrees each) from the canvas. */
async function turn(page: Page, key: 'ArrowLeft' | 'ArrowRight', steps: number): Promise<void> {
  await page.locator('.stage-canvas').focus();
  for (let i = 0; i < steps; i++) await page.keyboard.press(key);
}

describe('tours in the web player', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let clips: [string, string, string];

  async function createTour(input: TourCreateInput): Promise<string> {
    const tour = await stack.http<{ id: string }>('POST', '/api/tours', input, token);
    await stack.http('POST', `/api/tours/${tour.id}/publish`, {}, token);
    return tour.id;
  }

  before(async () => {
    await buildPlayerApp();
    stack = await startStack();
    // One tiny ladder (1 s, 320 and 256 px wide), published as three contents: the scenes differ by id.
    const ladder = await makeTestLadder(path.join(stack.workDir, 'ladder-work'), 1, 320);
    ({ token } = await stack.register('tour_guide'));
    const ids = [];
    for (const title of ['Lobby', 'Garden', 'Roof']) ids.push(await stack.publish(token, ladder.dir, { title, durationSeconds: 1 }));
    clips = ids as [string, string, string];
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 800, height: 600 } });
    page = await context.newPage();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  test('a hotspot changes scene facing the right way: by click, then by gaze dwell; narration and an info card show', async (t) => {
    const [lobby, garden, roof] = clips;
    const id = await createTour({
      title: 'Old house',
      mode: 'free',
      scenes: [
        {
          id: 'lobby',
          contentId: lobby,
          title: 'Lobby',
          startYaw: 0,
          hotspots: [{ id: 'door', label: 'To the garden', yaw: 90, pitch: 0, action: { kind: 'scene', targetSceneId: 'garden' } }],
        },
        {
          id: 'garden',
          contentId: garden,
          title: 'Garden',
          startYaw: -45,
          narration: { text: 'Planted in 1800.' },
          hotspots: [
            { id: 'back', label: 'Back inside', yaw: -90, pitch: 0, action: { kind: 'scene', targetSceneId: 'lobby' } },
            { id: 'stairs', label: 'Up to the roof', yaw: 45, pitch: 0, action: { kind: 'scene', targetSceneId: 'roof' } },
          ],
        },
        {
          id: 'roof',
          contentId: roof,
          title: 'Roof',
          hotspots: [{ id: 'river', label: 'The river', yaw: 25, pitch: -5, action: { kind: 'info', title: 'The Tagus', text: 'Wide and slow here.' } }],
        },
      ],
    });
    // A shorter gaze dwell than the default 1.5 s (unit-tested), to keep the test short.
    await page.goto(`${stack.url}/tours/${id}?dwell=800`);
    await page.getByRole('button', { name: 'Start the tour' }).click({ timeout: 30_000 });
    const opened = await waitForScene(page, 'lobby');
    assert.equal(opened.via, 'start');
    assert.equal(opened.headingYaw, '0.0');
    // The garden (the door's target) is loaded ahead, up to its first frame.
    await page.locator('[data-testid="tour-stage"][data-prefetched~="garden"]').waitFor({ timeout: 20_000 });

    // Look 10 degrees left of the door (at 90) and click it: the garden opens 10 degrees left of its startYaw (-45).
    await turn(page, 'ArrowRight', 16);
    const door = page.locator('[data-hotspot-id="door"]');
    assert.equal(await door.getAttribute('data-on-screen'), 'true');
    assert.equal(await door.getAttribute('aria-label'), 'To the garden');
    await door.click();
    const inGarden = await waitForScene(page, 'garden');
    assert.equal(inGarden.via, 'pointer');
    assert.equal(inGarden.through, 'door');
    assert.equal(inGarden.headingYaw, '-55.0');
    assert.equal(inGarden.viewYaw, '-55.0', 'the view faces the heading');
    assert.equal(inGarden.scenePrefetched, 'true', 'the jump used the scene loaded ahead');
    t.diagnostic(`click to the garden (loaded ahead): picture switched after ${inGarden.switchMs} ms`);
    await page.getByTestId('tour-narration').filter({ hasText: 'Planted in 1800.' }).waitFor();
    // The garden's hotspots are in the scene, at their directions.
    const stairs = page.locator('[data-hotspot-id="stairs"]');
    assert.equal(await stairs.getAttribute('data-yaw'), '45');
    assert.match((await stairs.getAttribute('data-world')) ?? '', /^-?\d+\.\d{3},-?\d+\.\d{3},-?\d+\.\d{3}$/);

    // Turn the centre of the view onto the stairs (45) and keep it there: the dwell selects them.
    await turn(page, 'ArrowRight', 20);
    const onRoof = await waitForScene(page, 'roof');
    assert.equal(onRoof.via, 'gaze');
    assert.equal(onRoof.through, 'stairs');
    // The roof has no startYaw: the heading carries over unchanged.
    assert.equal(onRoof.headingYaw, '45.0');
    t.diagnostic(`dwell to the roof (loaded ahead: ${onRoof.scenePrefetched}): picture switched after ${onRoof.switchMs} ms`);
    assert.equal(await page.getByTestId('tour-narration').count(), 0, 'the garden’s narration ended with the scene');

    await page.locator('[data-hotspot-id="river"]').click();
    const card = page.getByRole('dialog', { name: 'The Tagus' });
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', /Wide and slow here\./);
    await card.getByRole('button', { name: 'Close' }).click();
    await card.waitFor({ state: 'detached' });
  });

  test('a guided tour turns towards the next point of interest and advances on its own to the end', async () => {
    const [first, second, third] = clips;
    const id = await createTour({
      title: 'Guided walk',
      mode: 'guided',
      scenes: [
        {
          id: 'gate',
          contentId: first,
          title: 'Gate',
          durationSeconds: 3,
          hotspots: [{ id: 'path', label: 'Along the path', yaw: 60, pitch: 0, action: { kind: 'scene', targetSceneId: 'pond' } }],
        },
        { id: 'pond', contentId: second, title: 'Pond', durationSeconds: 1, startYaw: 10, narration: { text: 'Ducks live here.' } },
        { id: 'hill', contentId: third, title: 'Hill', durationSeconds: 1 },
      ],
    });
    await page.goto(`${stack.url}/tours/${id}?dwell=600000`);
    await page.getByRole('button', { name: 'Start the guided tour' }).click({ timeout: 30_000 });
    await waitForScene(page, 'gate');
    // Nobody touches anything: the view turns to the path, then the pond opens through it, then the hill.
    await page.locator('[data-testid="tour-stage"][data-guide-hotspot="path"]').waitFor({ timeout: 20_000 });
    const pond = await waitForScene(page, 'pond');
    assert.equal(pond.via, 'guided');
    assert.equal(pond.through, 'path');
    // Through the path while facing it (the guide turned the view there): the pond's startYaw, 10.
    assert.ok(Math.abs(Number(pond.headingYaw) - 10) <= 5, `heading ${pond.headingYaw}`);
    await page.getByTestId('tour-narration').filter({ hasText: 'Ducks live here.' }).waitFor();
    const hill = await waitForScene(page, 'hill');
    assert.equal(hill.via, 'guided');
    await page.locator('[data-testid="tour-stage"][data-ended="true"]').waitFor({ timeout: 20_000 });
  });

  test('tours are reachable from home and the creator profile; the tour page shares the scene and direction, with ratings and comments', async () => {
    const id = await createTour({ title: 'Reachable hall', mode: 'free', scenes: [{ id: 'hall', contentId: clips[0], title: 'Hall' }] });
    // Narration audio uploaded to the tour (an ffmpeg tone), then named by the scene's narration.
    const tone = path.join(stack.workDir, 'hall.mp3');
    await promisify(execFile)(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=duration=1', tone]);
    const uploaded = await fetch(`${stack.url}/api/tours/${id}/media/hall.mp3`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}` },
      body: await readFile(tone),
    });
    assert.equal(uploaded.status, 201);
    const { url: audioUrl } = (await uploaded.json()) as { url: string };
    await stack.http('PATCH', `/api/tours/${id}`, { scenes: [{ id: 'hall', contentId: clips[0], title: 'Hall', narration: { audioUrl } }] }, token);
    await stack.http('PUT', `/api/tours/${id}/rating`, { score: 4 }, token);
    await stack.http('POST', `/api/tours/${id}/comments`, { body: 'A fine hall' }, token);
    const card = page.locator(`[data-testid="tours-shelf"] [data-tour-id="${id}"]`);
    await page.goto(`${stack.url}/`);
    await card.waitFor({ timeout: 20_000 });
    await page.goto(`${stack.url}/u/tour_guide`);
    await card.getByRole('link', { name: 'Reachable hall', exact: true }).click({ timeout: 20_000 });
    await page.waitForURL(`**/tours/${id}`);
    await page.getByTestId('tour-rating-summary').filter({ hasText: '4.0' }).waitFor();
    await page.getByTestId('tour-comments').getByText('A fine hall').waitFor();
    const violations = await axeViolations(page, 'serious');
    assert.deepEqual(violations, [], describeViolations('tour page (rating, share, comments, watch party panel)', violations));
    const narrationFetched = page.waitForResponse((response) => response.url().endsWith(audioUrl) && response.ok(), { timeout: 20_000 });
    await page.getByRole('button', { name: 'Start the tour' }).click({ timeout: 30_000 });
    await waitForScene(page, 'hall');
    await narrationFetched;
    await turn(page, 'ArrowRight', 4);
    const { viewYaw } = await stageState(page);
    await page.getByTestId('share-button').click();
    const link = new URL((await page.locator('[data-testid="share-status"][data-link]').getAttribute('data-link')) ?? '');
    assert.equal(link.pathname, `/tours/${id}`);
    assert.equal(link.searchParams.get('scene'), 'hall');
    assert.ok(Math.abs(Number(link.searchParams.get('yaw')) - Number(viewYaw)) < 0.2, `shared yaw ${link.searchParams.get('yaw')}, view ${viewYaw}`);
    // The link opens there: the same scene, facing the shared direction once the tour starts.
    link.searchParams.set('yaw', '-70');
    await page.goto(link.toString());
    await page.getByRole('button', { name: 'Start the tour' }).click({ timeout: 30_000 });
    await waitForScene(page, 'hall');
    await page.locator('[data-testid="tour-stage"][data-view-yaw="-70.0"]').waitFor({ timeout: 10_000 });
  });

  test("a watch party on a tour: the friend's page opens the host's scene and follows the host through a hotspot", async () => {
    const id = await createTour({
      title: 'Together',
      mode: 'free',
      scenes: [
        {
          id: 'hall',
          contentId: clips[0],
          title: 'Hall',
          startYaw: 0,
          hotspots: [{ id: 'door', label: 'Out to the yard', yaw: 0, pitch: 0, action: { kind: 'scene', targetSceneId: 'yard' } }],
        },
        { id: 'yard', contentId: clips[1], title: 'Yard', hotspots: [{ id: 'in', yaw: 180, pitch: 0, action: { kind: 'scene', targetSceneId: 'hall' } }] },
      ],
    });
    const friend = await stack.register('tour_friend', 'viewer');
    const signedIn = async (sessionToken: string): Promise<Page> => {
      const signedContext = await browser.newContext({ viewport: { width: 800, height: 600 } });
      await signedContext.addCookies([{ name: SESSION_COOKIE, value: sessionToken, url: stack.url }]);
      return signedContext.newPage();
    };
    const host = await signedIn(token);
    const guest = await signedIn(friend.token);
    try {
      await host.goto(`${stack.url}/tours/${id}?dwell=600000`);
      await host.getByRole('button', { name: 'Start the tour' }).click({ timeout: 30_000 });
      await waitForScene(host, 'hall');
      await host.getByRole('button', { name: 'Watch together' }).click();
      await host.waitForURL(/[?&]party=/);
      await host.locator('[data-testid="party-panel"][data-scene="hall"]').waitFor({ timeout: 20_000 });
      // The invitation is the tour's address with the party: the friend's page starts in the host's scene.
      await guest.goto(host.url());
      await waitForScene(guest, 'hall', 30_000);
      await host.locator('[data-hotspot-id="door"]').click();
      await waitForScene(host, 'yard');
      const followed = await waitForScene(guest, 'yard', 20_000);
      assert.notEqual(followed.via, 'start');
    } finally {
      await host.context().close();
      await guest.context().close();
    }
  });
});
