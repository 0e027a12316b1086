import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '@spherecast/shared/testing';
import { runningNow } from '../../test-support/ad-fixtures.ts';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { makeTinyLadder } from '../../test-support/hls-fixture.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

const HLS_SCRIPT = createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');

interface Seen {
  assetLists: string[];
  assetsStarted: string[];
  ended: Array<{ id: string; primaryTime: number }>;
  interstitials: Array<{ id: string; cue: string; startTime: number }>;
  primaryTime: number;
  errors: string[];
}

/** Plays `master` with hls.js in the page and keeps what its interstitial events say in `window.seen`. */
function pageScript(master: string): string {
  return `
    const seen = { assetLists: [], assetsStarted: [], ended: [], interstitials: [], primaryTime: 0, errors: [] };
    window.seen = seen;
    const video = document.querySelector('video');
    const hls = new Hls({});
    hls.on(Hls.Events.INTERSTITIALS_UPDATED, (_e, data) => {
      seen.interstitials = data.events.map((event) => ({ id: event.identifier, cue: event.cue.pre ? 'PRE' : event.cue.post ? 'POST' : '', startTime: event.startTime }));
    });
    hls.on(Hls.Events.ASSET_LIST_LOADED, (_e, data) => {
      seen.assetLists.push(String((data.networkDetails && data.networkDetails.responseURL) || data.event.assetListUrl));
    });
    hls.on(Hls.Events.INTERSTITIAL_ASSET_STARTED, (_e, data) => seen.assetsStarted.push(String(data.asset.uri)));
    hls.on(Hls.Events.INTERSTITIAL_ENDED, (_e, data) => seen.ended.push({ id: data.event.identifier, primaryTime: video.currentTime }));
    hls.on(Hls.Events.ERROR, (_e, data) => seen.errors.push(String(data.details) + (data.fatal ? ' (fatal)' : '')));
    setInterval(() => { seen.primaryTime = video.currentTime; }, 100);
    hls.loadSource(${JSON.stringify(master)});
    hls.attachMedia(video);
    video.play().catch(() => undefined);
  `;
}

/**
 * The origin's interstitials as hls.js (the version the player ships) reads them, in Chromium: the
 * DATERANGEs of the served playlist become interstitial events, the pre-roll's asset list comes from
 * the origin for this viewer, the creative's signed ladder plays, then the content.
 */
describe('the origin’s ad breaks played by hls.js in Chromium (pglite)', () => {
  let t: TestOrigin;
  let browser: Browser;
  let advertiser: TestUser;
  let creator: TestUser;
  let workDir: string;

  before(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-ads-hls-'));
    [t, browser] = await Promise.all([startTestOrigin('pglite'), launchChromium(), makeTinyLadder(path.join(workDir, 'ladder'), 4)]);
    advertiser = await t.user('hls_brand', 'advertiser');
    creator = await t.user('hls_maker');
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  async function publish(contentId: string): Promise<void> {
    await cp(path.join(workDir, 'ladder'), path.join(t.origin.services.config.mediaDir, 'published', contentId, 'p1'), { recursive: true });
  }

  test('the pre-roll from the asset list plays, then the content until the mid-roll at 2 s, each break with its own asset list', async () => {
    const campaign = await advertiser.caller.ads.campaigns.create({
      name: 'Tiny spot',
      creativeForm: '360',
      ...runningNow(),
      budgetImpressions: 10,
      frequencyCapPerDay: 10,
    });
    const creativeId = campaign.creative!.contentId;
    await publish(creativeId);
    await t.origin.services.prisma.content.update({
      where: { id: creativeId },
      data: { status: 'ready', publishedPath: `${creativeId}/p1`, masterFile: 'master.m3u8', durationSeconds: 4, publishedAt: new Date() },
    });
    const contentId = await readyContent(t, creator, { title: 'Main feature', durationSeconds: 4 });
    await publish(contentId);
    await creator.caller.ads.placements.set({ contentId, preroll: true, midrollSeconds: [2] });

    const page = await browser.newPage();
    try {
      // A document of the origin's (same origin as the media and the asset list), with hls.js alone.
      await page.goto(`${t.url}/healthz`);
      await page.setContent('<video id="v" muted playsinline></video>');
      await page.addScriptTag({ path: HLS_SCRIPT });
      // The page's script as text: the origin compiles without the DOM library.
      await page.addScriptTag({ content: pageScript(`${t.url}/media/${contentId}/p1/master.m3u8`) });

      const deadline = Date.now() + 90_000;
      let seen: Seen = await page.evaluate(() => (globalThis as unknown as { seen: Seen }).seen);
      while (Date.now() < deadline && seen.ended.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        seen = await page.evaluate(() => (globalThis as unknown as { seen: Seen }).seen);
      }
      assert.deepEqual(
        seen.interstitials.map((event) => [event.id, event.cue]),
        [
          ['ad-pre', 'PRE'],
          ['ad-mid-2', ''],
        ],
        JSON.stringify(seen),
      );
      assert.equal(seen.interstitials[1]!.startTime, 2, 'the mid-roll sits 2 s into the content');
      assert.ok(seen.assetLists[0]?.includes(`/api/ads/assets?contentId=${contentId}&position=preroll`), JSON.stringify(seen));
      assert.ok(seen.assetsStarted.length >= 1, JSON.stringify(seen));
      assert.match(seen.assetsStarted[0]!, new RegExp(`/media/~[^/]+/${creativeId}/p1/master\\.m3u8`));
      // The pre-roll ends, the content plays its first 2 s, and the mid-roll comes: its own asset list.
      assert.equal(seen.ended[0]?.id, 'ad-pre', JSON.stringify(seen));
      while (Date.now() < deadline && seen.ended.length < 2) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        seen = await page.evaluate(() => (globalThis as unknown as { seen: Seen }).seen);
      }
      assert.deepEqual(
        seen.ended.map((event) => event.id),
        ['ad-pre', 'ad-mid-2'],
        JSON.stringify(seen),
      );
      assert.ok(seen.assetLists[1]?.includes('position=midroll'), JSON.stringify(seen));
      const decided = await t.origin.services.prisma.adImpression.groupBy({
        by: ['position'],
        where: { campaignId: campaign.id },
        _count: { _all: true },
        orderBy: { position: 'asc' },
      });
      assert.deepEqual(
        decided.map((row) => [row.position, row._count._all]),
        [
          ['midroll', 1],
          ['preroll', 1],
        ],
      );
    } finally {
      await page.close();
    }
  });
});
