// A live mid-roll end to end in Chromium (#14): `spherecast-studio live` (a child process) pushes the
// test pattern to an origin started here; an advertiser creates a live-only campaign with a flat
// creative on /ads (uploaded by the page, transcoded by the origin); the creator places "a mid-roll
// every minute" in the broadcast; a viewer's watch page, playing at the live edge, plays the ad when
// the playhead reaches the break's scheduled time, then goes back to live. With a pre-roll placed too,
// a viewer who opens the broadcast then sees the ad before the broadcast.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { adPlaying, createCampaignOnPage, makeFlatSpot, readAdView, until, type AdView } from './support/ad-watch.ts';
import { ARTIFACTS, launchChromium, TestPages } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { LEAN_LIVE, LiveCli } from './support/live-cli.ts';
import { startStack, type Stack } from './support/stack.ts';

/** The smallest interval a placement takes (minutes). */
const EVERY_MINUTES = 1;
/** How far ahead of now the break is scheduled once the viewer plays at the live edge. */
const BREAK_AHEAD_MS = 8000;

describe('ads in a live broadcast: a mid-roll every minute, and a pre-roll', () => {
  let stack: Stack;
  let browser: Browser;
  let cli: LiveCli | null = null;
  let pages: TestPages;
  let spot: string;

  before(async () => {
    stack = await startStack({ processing: { transcode: { preset: 'ultrafast', segmentSeconds: 1 } } });
    spot = path.join(stack.workDir, 'live-spot.mp4');
    await Promise.all([buildPlayerApp(), makeFlatSpot(spot)]);
    browser = await launchChromium();
    pages = new TestPages(browser, stack.url);
  });

  after(async () => {
    cli?.kill();
    await pages?.close();
    await browser?.close();
    await stack?.close();
  });

  test("the viewer's page plays the mid-roll when the playhead reaches its scheduled time, then goes back to live; a viewer joining later gets the pre-roll first", async () => {
    const started = Date.now();
    const mark = (what: string): void => console.log(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const admin = await stack.registerAdmin('live_ads_admin');
    const advertiser = await stack.register('wave_brand', 'viewer');
    await stack.http('POST', '/api/ads/advertisers', { username: 'wave_brand' }, admin.token);
    const creator = await stack.register('wave_caster');

    // The broadcast starts while the advertiser makes the campaign.
    cli = new LiveCli([
      '--source',
      'test',
      '--origin',
      stack.url,
      '--token',
      creator.token,
      '--title',
      'Wave live',
      '--duration',
      '120',
      '--segment',
      '1',
      ...LEAN_LIVE,
    ]);
    const ads = await pages.open(advertiser.token);
    await ads.goto(`${stack.url}/ads`);
    await ads.getByRole('heading', { name: 'Ad campaigns' }).waitFor();
    const campaignId = await createCampaignOnPage(ads, { name: 'Wave live spot', shownAs: 'flat', file: spot, streams: 'Live only' });
    mark('campaign ready');

    const channelId = String((await cli.waitFor((e) => e.event === 'channel', 30_000)).id);
    const { contentId } = await until(
      'the channel on air',
      // As its creator: an idle channel's broadcast is not anyone else's to see yet (404).
      () => stack.http<{ status: string; contentId: string }>('GET', `/api/live/channels/${channelId}`, undefined, creator.token),
      (s) => s.status === 'live',
      60_000,
      250,
    );
    mark('on air');

    // A viewer plays the broadcast at the live edge, with no break yet.
    const watch = await pages.open();
    // With P2P on, as viewers watch (a lone viewer: no peers). The player's live-due-segments.ts keeps
    // a stalled viewer and the content after the break loading (shared/src/player/live-p2p.test.ts).
    await watch.goto(`${stack.url}/watch/${contentId}`);
    const first = await until(
      'the broadcast playing with a latency',
      () => readAdView(watch),
      (v) => v.latency !== null && v.time > 0 && !v.paused,
      45_000,
      250,
    );
    await until(
      'the playhead moving',
      () => readAdView(watch),
      (v) => v.time > first.time + 1 && v.latency !== null,
      30_000,
      250,
    );
    mark('viewer at the live edge');

    // "Every minute from the broadcast's start": the broadcast is dated back so its first break, one
    // minute after its start, comes a few seconds from now instead of a minute (what is tested is the
    // page reaching the break, not a minute's wait). Then the creator places the mid-rolls.
    const breakAt = Date.now() + BREAK_AHEAD_MS;
    await stack.origin.services.prisma.liveChannel.update({ where: { id: channelId }, data: { startedAt: new Date(breakAt - EVERY_MINUTES * 60_000) } });
    await stack.http('PUT', `/api/ads/placements/${contentId}`, { liveMidrollEveryMinutes: EVERY_MINUTES }, creator.token);

    // The page plays the ad when its playhead reaches the break.
    const content: AdView[] = [];
    const midroll = await until(
      'the live mid-roll playing',
      async () => {
        const v = await readAdView(watch);
        if (v.form === null) content.push(v);
        return v;
      },
      adPlaying,
      45_000,
      50,
    );
    mark('mid-roll playing');
    await watch.screenshot({ path: path.join(ARTIFACTS, 'ads-live-midroll.png') });
    assert.equal(midroll.adId?.split(':')[0], campaignId, `the live-only campaign's ad: ${JSON.stringify(midroll)}`);
    assert.deepEqual([midroll.form, midroll.renderedForm, midroll.screen], ['flat', 'flat', 'true'], 'a flat ad on the virtual screen');
    // Where the break is on the element's timeline: hls.js maps the element's time to the program date
    // at a fixed offset, which the latency (read once a second) gives at samples where playback ran on.
    const offsets = content
      .filter((v) => v.latency !== null && v.liveAtEdge)
      .map((v) => v.now - v.latency! * 1000 - v.time * 1000)
      .sort((a, b) => a - b);
    const offset = offsets[Math.floor(offsets.length / 2)];
    assert.ok(offset !== undefined, 'the content played at the live edge before the break');
    const breakTime = (breakAt - offset) / 1000;
    const lastBefore = content.at(-1)!.time;
    // After the ad the page is back on the broadcast, at the live edge, playing.
    const back = await until(
      'back to live after the break',
      () => readAdView(watch),
      (v) => v.form === null && v.latency !== null && v.liveAtEdge && !v.paused,
      30_000,
      250,
    );
    await until(
      'the broadcast playing on',
      () => readAdView(watch),
      (v) => v.form === null && v.time > back.time + 1,
      30_000,
      250,
    );
    mark('back to live');
    // The break took the content's place at its date: the content did not play on past it before the ad
    // (a break starts from the element's timeupdate, about 4 a second), and goes on after it. (A playhead
    // that stalled and was moved to the live edge over the break plays the break there, as hls.js does
    // for any jump over a break with X-RESTRICT JUMP.)
    console.log(
      `break at ${breakTime.toFixed(2)} s of the broadcast; content before it up to ${lastBefore.toFixed(2)} s, after it from ${back.time.toFixed(2)} s`,
    );
    assert.ok(lastBefore <= breakTime + 0.5, `the content played ${(lastBefore - breakTime).toFixed(2)} s past the break before the ad`);
    assert.ok(back.time >= breakTime - 0.5, `the content after the ad is at ${back.time} s, before the break at ${breakTime} s: the ad came early`);
    assert.ok(back.latency !== null && back.latency < 15, `near the live edge again: ${back.latency} s behind`);

    // The campaign's report counts the impression.
    const card = ads.getByTestId('campaign').filter({ hasText: 'Wave live spot' });
    const reportCounts = (impressions: number) =>
      until(
        `${impressions} impression(s) in the report`,
        async () => {
          await card.getByRole('button', { name: 'Report' }).click();
          return card.getByTestId('campaign-report').innerText();
        },
        (text) => new RegExp(`${new Date().toISOString().slice(0, 10)}\\s+${impressions}\\s`).test(text),
        15_000,
        500,
      );
    await reportCounts(1);
    mark('impression reported');

    // A live pre-roll: with it placed too, a viewer who opens the broadcast now sees the ad first,
    // then the broadcast at the live edge.
    await stack.http('PUT', `/api/ads/placements/${contentId}`, { preroll: true, liveMidrollEveryMinutes: EVERY_MINUTES }, creator.token);
    const joining = await pages.open();
    await joining.goto(`${stack.url}/watch/${contentId}`);
    const preroll = await until('the live pre-roll playing', () => readAdView(joining), adPlaying, 45_000, 100);
    assert.equal(preroll.adId?.split(':')[0], campaignId, `the live-only campaign's ad first: ${JSON.stringify(preroll)}`);
    await until(
      'the broadcast at the live edge after the pre-roll',
      () => readAdView(joining),
      (v) => v.form === null && v.latency !== null && v.liveAtEdge && !v.paused && v.latency < 15,
      45_000,
      250,
    );
    mark('pre-roll, then live');
    await reportCounts(2);
  });
});
