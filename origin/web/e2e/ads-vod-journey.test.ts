// Ads in a VOD end to end in Chromium (#14): an admin makes an account an advertiser through the API;
// the advertiser creates two campaigns on /ads, a 360 creative and a flat one, each uploaded through
// the page and transcoded by the origin's media engine; a creator places a pre-roll and a mid-roll in
// a published video; a viewer's watch page plays the 360 ad on the sphere, the content, the flat ad on
// the virtual screen at the mid-roll's time, and the content again from there; the advertiser's
// reports count each campaign's impression and completion.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { adReportSchema, type AdReport } from '@spherecast/shared';
import { generateEquirectFixture } from '@spherecast/shared/media';
import { adPlaying, createCampaignOnPage, makeFlatSpot, readAdView, stageBrightness, until } from './support/ad-watch.ts';
import { ARTIFACTS, launchChromium, TestPages } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { makeTestLadder } from './support/ladder.ts';
import { startStack, type Stack } from './support/stack.ts';

const MIDROLL_SECONDS = 2;

describe('ads in a VOD: advertiser page -> creator placement -> watch page -> report', () => {
  let stack: Stack;
  let browser: Browser;
  let pages: TestPages;
  let ladder: string;
  let sphereClip: string;
  let flatClip: string;

  before(async () => {
    // The creatives are small (the file's time goes mostly to their transcodes): the 360 one gets a
    // single 256 px rung instead of the product's 1920/1280 ladder, the flat one is 320x180 (one rung).
    stack = await startStack({ processing: { transcode: { preset: 'ultrafast', segmentSeconds: 1, eyeWidths: [256] } } });
    sphereClip = path.join(stack.workDir, 'sphere-spot.mp4');
    flatClip = path.join(stack.workDir, 'flat-spot.mp4');
    const [, made] = await Promise.all([
      buildPlayerApp(),
      makeTestLadder(path.join(stack.workDir, 'content')),
      generateEquirectFixture({ out: sphereClip, seconds: 1.5, width: 256, fps: 15, audio: true }),
      makeFlatSpot(flatClip, { width: 320, height: 180 }),
    ]);
    ladder = made.dir;
    browser = await launchChromium();
    pages = new TestPages(browser, stack.url);
  });

  after(async () => {
    await pages?.close();
    await browser?.close();
    await stack?.close();
  });

  test('a viewer sees the 360 pre-roll on the sphere, the content, the flat mid-roll on the screen at its time, the content again; the reports count them', async () => {
    const started = Date.now();
    const mark = (what: string): void => console.log(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // The admin grants the advertiser role through the API.
    const admin = await stack.registerAdmin('ads_admin');
    const advertiser = await stack.register('orbit_brand', 'viewer');
    await stack.http('POST', '/api/ads/advertisers', { username: 'orbit_brand' }, admin.token);

    // Meanwhile a creator publishes a 24 s 360 video and places a pre-roll and a mid-roll at 2 s in it,
    // with the API the placement form would use (the web app has no placement form).
    const published = (async () => {
      const creator = await stack.register('orbit_creator');
      const id = await stack.publish(creator.token, ladder, { title: 'Orbit harbour', durationSeconds: 24 });
      await stack.http('PUT', `/api/ads/placements/${id}`, { preroll: true, midrollSeconds: [MIDROLL_SECONDS] }, creator.token);
      return id;
    })();
    published.catch(() => undefined); // awaited below; a failure there fails the test

    // The advertiser creates both campaigns on /ads, with the same budget: a viewer's first break goes to
    // the older one (the one furthest behind its budget, then the oldest), and with one impression per
    // viewer per day each, the second break to the other.
    const ads = await pages.open(advertiser.token);
    await ads.goto(`${stack.url}/ads`);
    await ads.getByRole('heading', { name: 'Ad campaigns' }).waitFor();
    const sphereSpot = await createCampaignOnPage(ads, {
      name: 'Orbit sphere spot',
      shownAs: '360',
      file: sphereClip,
      clickThroughUrl: 'https://orbit.example/',
      perViewerPerDay: 1,
    });
    mark('360 campaign ready');
    const flatSpot = await createCampaignOnPage(ads, {
      name: 'Orbit flat spot',
      shownAs: 'flat',
      file: flatClip,
      clickThroughUrl: 'https://orbit.example/',
      perViewerPerDay: 1,
    });
    mark('flat campaign ready');
    const campaigns = [
      { name: 'Orbit sphere spot', id: sphereSpot },
      { name: 'Orbit flat spot', id: flatSpot },
    ];

    const contentId = await published;

    // A viewer opens the watch page: the pre-roll plays first, the 360 creative drawn on the sphere.
    const watch = await pages.open();
    await watch.goto(`${stack.url}/watch/${contentId}`);
    const preroll = await until('the 360 pre-roll playing on the sphere', () => readAdView(watch), adPlaying, 60_000);
    mark('pre-roll playing');
    assert.equal(preroll.adId?.split(':')[0], sphereSpot, `the first ad is the 360 campaign's: ${JSON.stringify(preroll)}`);
    assert.equal(preroll.form, '360');
    assert.deepEqual([preroll.renderedForm, preroll.sphere, preroll.screen], ['360', 'true', 'false'], 'the 360 ad is drawn on the sphere');
    const sphereAd = await stageBrightness(watch);
    await watch.screenshot({ path: path.join(ARTIFACTS, 'ads-vod-preroll-360.png') });
    assert.ok(sphereAd.corners > 20 && sphereAd.middle > 20, `the 360 ad fills the view: ${JSON.stringify(sphereAd)}`);

    // Then the content, from its start, until the mid-roll at 2 s; the last content time seen before the
    // break is just under 2 s.
    await until(
      'the content after the pre-roll',
      () => readAdView(watch),
      (v) => v.form === null && v.time > 0.5 && !v.paused,
      30_000,
    );
    let lastContentTime = 0;
    const midroll = await until(
      'the flat mid-roll playing on the virtual screen',
      async () => {
        const v = await readAdView(watch);
        if (v.form === null) lastContentTime = v.time;
        return v;
      },
      adPlaying,
      30_000,
      50,
    );
    mark('mid-roll playing');
    assert.equal(midroll.adId?.split(':')[0], flatSpot, `the mid-roll is the flat campaign's: ${JSON.stringify(midroll)}`);
    assert.equal(midroll.form, 'flat');
    assert.deepEqual(
      [midroll.renderedForm, midroll.sphere, midroll.screen],
      ['flat', 'false', 'true'],
      'the flat ad is drawn on the virtual screen, the sphere dark',
    );
    // hls.js starts a break from the element's timeupdate (about 4 a second): the content may run a frame or a few past it.
    assert.ok(lastContentTime > MIDROLL_SECONDS - 1.5 && lastContentTime <= MIDROLL_SECONDS + 0.5, `the mid-roll came at ${lastContentTime} s of content`);
    const screenAd = await stageBrightness(watch);
    await watch.screenshot({ path: path.join(ARTIFACTS, 'ads-vod-midroll-flat.png') });
    assert.ok(screenAd.corners < 10 && screenAd.middle > 20, `a lit screen in the middle of a dark view: ${JSON.stringify(screenAd)}`);

    // The content resumes where it was, on the sphere, and plays on.
    const resumed = await until(
      'the content after the mid-roll',
      () => readAdView(watch),
      (v) => v.form === null && v.time > MIDROLL_SECONDS + 0.5 && !v.paused,
      30_000,
    );
    assert.ok(resumed.time < MIDROLL_SECONDS + 10, `the content went on from the break, not from elsewhere: ${resumed.time} s`);
    const content = await stageBrightness(watch);
    assert.ok(content.corners > 20, `the sphere is drawn again: ${JSON.stringify(content)}`);

    mark('content resumed');
    // The reports: each campaign one impression and one completion, read by the API and on the page.
    const today = new Date().toISOString().slice(0, 10);
    for (const campaign of campaigns) {
      const { id } = campaign;
      const report = await until(
        `${campaign.name}'s impression and completion counted`,
        async () => adReportSchema.parse(await stack.http<AdReport>('GET', `/api/ads/campaigns/${id}/report`, undefined, advertiser.token)),
        (r) => r.totals.impressions >= 1 && r.totals.completes >= 1,
        15_000,
        250,
      );
      assert.deepEqual(
        { impressions: report.totals.impressions, completes: report.totals.completes, skips: report.totals.skips },
        { impressions: 1, completes: 1, skips: 0 },
        campaign.name,
      );
    }
    await ads.reload();
    for (const campaign of campaigns) {
      const card = ads.getByTestId('campaign').filter({ hasText: campaign.name });
      await card.getByRole('button', { name: 'Report' }).click();
      const table = card.getByTestId('campaign-report');
      await table.waitFor();
      assert.match(await table.innerText(), new RegExp(`${today}\\s+1\\s+100%\\s+0`), campaign.name);
    }
  });
});
