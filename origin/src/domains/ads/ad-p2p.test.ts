// Ad creatives shared between viewers over P2P (#14), measured end to end: a real origin (PGlite) that
// publishes the creative through the upload pipeline (with its hash list) and decides the pre-roll, a
// real tracker, and Chromium pages playing the player's ads test page over real WebRTC.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createServer, defaultClientConditions, type ViteDevServer } from 'vite';
import { adAssetListSchema } from '@spherecast/shared';
import type { PlayerStats } from '@spherecast/shared/player';
import { launchChromium } from '@spherecast/shared/testing';
import { TrackerServer } from '@spherecast/tracker';
import { runningNow } from '../../test-support/ad-fixtures.ts';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { corruptSegments } from '../../test-support/corrupt-peer.ts';
import { makeTinyLadder, uploadLadder } from '../../test-support/hls-fixture.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

/** The player's ads test page (shared/src/player/ads/fixtures): the player, its ad state and every ad segment with its source. */
const PAGE_ROOT = path.join(path.dirname(createRequire(import.meta.url).resolve('@spherecast/shared')), 'player/ads/fixtures');
/** A short spot (1 s segments): the test plays it in real time, three times. */
const CREATIVE_SECONDS = 4;

/** As the page records them (the player's ads `segment` event). */
type AdSegmentLoaded = { adId: string; url: string; bytes: number; source: 'http' | 'p2p' };
type PageState = { stats: PlayerStats; adSegments: AdSegmentLoaded[]; beacons: string[]; time: number; ad: string | null };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('ad creatives shared between viewers over P2P (pglite, tracker, Chromium, WebRTC)', () => {
  let t: TestOrigin;
  let tracker: TrackerServer;
  let vite: ViteDevServer;
  let browser: Browser;
  let workDir: string;
  let advertiser: TestUser;
  let creator: TestUser;
  let creativeId: string;
  let contentId: string;
  let pageUrl: string;

  before(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-ad-p2p-'));
    tracker = new TrackerServer({ port: 0, host: '127.0.0.1', logLevel: 'error' });
    await tracker.start();
    const [origin, chromium, creativeFiles] = await Promise.all([
      startTestOrigin('pglite', { trackerUrl: tracker.url }),
      launchChromium(),
      makeTinyLadder(path.join(workDir, 'creative'), CREATIVE_SECONDS),
      makeTinyLadder(path.join(workDir, 'content'), 4),
    ]);
    t = origin;
    browser = chromium;
    advertiser = await t.user('p2p_brand', 'advertiser');
    creator = await t.user('p2p_maker');
    const campaign = await advertiser.caller.ads.campaigns.create({
      name: 'Shared spot',
      creativeForm: 'flat',
      ...runningNow(),
      budgetImpressions: 100,
      frequencyCapPerDay: 10,
    });
    creativeId = campaign.creative!.contentId;
    // Published as the studio does: files up, then finalize (which writes the creative's hashes.json).
    await uploadLadder(t.url, advertiser.token, creativeId, path.join(workDir, 'creative'), creativeFiles);
    await advertiser.caller.content.finalize({ id: creativeId, master: 'master.m3u8', durationSeconds: CREATIVE_SECONDS });
    contentId = await readyContent(t, creator, { title: 'Feature with a pre-roll', durationSeconds: 4 });
    await cp(path.join(workDir, 'content'), path.join(t.origin.services.config.mediaDir, 'published', contentId, 'p1'), { recursive: true });
    await creator.caller.ads.placements.set({ contentId, preroll: true });

    vite = await createServer({
      configFile: false,
      root: PAGE_ROOT,
      logLevel: 'silent',
      // P2P_BUNDLE_CONDITION of the player's config (the player's index cannot be imported in Node).
      resolve: { conditions: ['p2pml:core-as-bundle', ...defaultClientConditions] },
      server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    });
    await vite.listen();
    const url = vite.resolvedUrls?.local[0];
    assert.ok(url, 'Vite reports no local URL');
    const query = new URLSearchParams({ master: `${t.url}/media/${contentId}/p1/master.m3u8`, p2p: '1', trackers: tracker.url, render: '0' });
    pageUrl = `${new URL('ads.html', url).href}?${query.toString()}`;
  });

  after(async () => {
    await browser?.close();
    await vite?.close();
    await t?.close();
    await tracker?.destroy();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  /** A viewer in its own browser context (own peer id, own ad decision). */
  async function openViewer(prepare?: (page: Page) => Promise<void>): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (error) => console.error(`[page] ${error.message}`));
    await prepare?.(page);
    await page.goto(pageUrl);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    return page;
  }

  const read = (page: Page): Promise<PageState> =>
    page.evaluate(() => {
      const test = (globalThis as unknown as { adsTest: Record<string, any> }).adsTest;
      return {
        stats: test.player.stats as PlayerStats,
        adSegments: test.adSegments as AdSegmentLoaded[],
        beacons: (test.beacons as { event: string }[]).map((b) => b.event),
        time: test.time() as number,
        ad: (test.state()?.adId as string | undefined) ?? null,
      };
    });

  async function waitFor(page: Page, what: string, ok: (s: PageState) => boolean, timeoutMs = 40_000): Promise<PageState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await read(page);
      if (ok(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify({ ...s, adSegments: s.adSegments.length })}`);
      await sleep(250);
    }
  }

  /** Media segment bytes of the creative (init segments excluded), by source. */
  const adBytes = (s: PageState) => {
    const media = s.adSegments.filter((segment) => segment.url.includes(`/${creativeId}/`) && !segment.url.endsWith('init.mp4'));
    const sum = (source: 'http' | 'p2p') => media.filter((segment) => segment.source === source).reduce((total, segment) => total + segment.bytes, 0);
    return { http: sum('http'), p2p: sum('p2p'), segments: media.length };
  };

  const completes = async (): Promise<number> => t.origin.services.prisma.adEvent.count({ where: { event: 'complete', impression: { contentId } } });

  test('the asset list names the creative’s own swarm (the same for every viewer, not a signed URL) and its signed hash list', async () => {
    const assetList = async (viewerId: string) =>
      adAssetListSchema.parse((await t.http('GET', `/api/ads/assets?contentId=${contentId}&position=preroll&viewerId=${viewerId}`)).body);
    const list = await assetList('swarm-check-viewer-1');
    const details = list.ASSETS[0]?.['X-SPHERECAST-AD'];
    const creative = await t.origin.services.prisma.content.findUniqueOrThrow({ where: { id: creativeId }, select: { publishedPath: true } });
    assert.match(details?.p2p?.swarmId ?? '', new RegExp(`^/media/(swarm-[A-Za-z0-9_-]{22}/)?${creative.publishedPath}/master\\.m3u8$`));
    assert.ok(!list.ASSETS[0]!.URI.includes(details?.p2p?.swarmId ?? '?'), 'not the viewer’s own URL');
    assert.equal((await assetList('swarm-check-viewer-2')).ASSETS[0]?.['X-SPHERECAST-AD']?.p2p?.swarmId, details?.p2p?.swarmId);
    assert.ok(details?.p2p, 'the creative has P2P details');
    const hashes = await fetch(details.p2p.segmentHashesUrl);
    assert.equal(hashes.status, 200, 'the hash list is served under the viewer’s signed link');
    const body = (await hashes.json()) as Record<string, string>;
    assert.ok(
      Object.keys(body).some((file) => file.endsWith('.m4s')),
      JSON.stringify(body),
    );
    // The decision was recorded like any other; it must not count for the tests below.
    await t.origin.services.prisma.adImpression.deleteMany({ where: { viewerKey: 'viewer:swarm-check-viewer-1' } });
  });

  test('a second viewer gets the pre-roll’s segments from the first over WebRTC; both play it to the end with beacons', async () => {
    const first = await openViewer();
    await waitFor(first, 'the first viewer past the pre-roll', (s) => s.beacons.includes('complete') && s.ad === null);
    const second = await openViewer();
    const late = await waitFor(second, 'the second viewer past the pre-roll', (s) => s.beacons.includes('complete') && s.ad === null);
    const early = await read(first);
    await first.context().close();
    await second.context().close();
    const bytes = adBytes(late);
    const share = bytes.p2p / (bytes.p2p + bytes.http);
    console.log(
      `[ad-p2p] second viewer's creative segments: ${bytes.segments}, ${bytes.p2p} bytes from peers, ${bytes.http} over HTTP (${(share * 100).toFixed(1)}% from peers)`,
    );
    assert.ok(bytes.p2p > 0, `the second viewer got creative bytes from the first: ${JSON.stringify(bytes)}`);
    assert.ok(early.stats.uploadedBytes > 0, `the first viewer shared: ${JSON.stringify(early.stats)}`);
    assert.equal(late.stats.rejectedSegments, 0, 'honest peers: no segment failed its hash');
    for (const s of [early, late]) {
      assert.deepEqual(
        s.beacons.filter((event) => event !== 'skip'),
        ['impression', 'start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'complete'],
      );
    }
    const deadline = Date.now() + 5000;
    while ((await completes()) < 2 && Date.now() < deadline) await sleep(100);
    assert.equal(await completes(), 2, 'the origin recorded both complete beacons');
  });

  test('a creative segment corrupted by a peer is rejected and fetched over HTTP; the ad still plays to its end', async () => {
    const before = await completes();
    // The seeder's own HTTP copy of the creative is tampered with (it still decodes, so the seeder plays
    // and shares, but the bytes no longer match the hash list).
    const seeder = await openViewer((page) => corruptSegments(page, `**/${creativeId}/**/*.m4s`));
    // The victim comes while the seeder still plays the ad (it has loaded the spot by then: hls.js buffers ahead).
    await waitFor(seeder, 'the seeder playing the ad', (s) => s.beacons.includes('start'));
    const victim = await openViewer();
    const end = await waitFor(victim, 'the victim past the pre-roll', (s) => s.beacons.includes('complete') && s.ad === null && s.time > 0.5);
    const seeded = await read(seeder);
    assert.ok(seeded.beacons.includes('complete'), 'the seeder played its ad to the end too');
    await seeder.context().close();
    await victim.context().close();
    const bytes = adBytes(end);
    console.log(`[ad-p2p] victim: ${end.stats.rejectedSegments} peer segments rejected, ${bytes.p2p} bytes used from peers, ${bytes.http} over HTTP`);
    assert.ok(seeded.stats.uploadedBytes > 0, `the corrupt seeder sent creative segments: ${JSON.stringify(seeded.stats)}`);
    assert.ok(end.stats.rejectedSegments > 0, `the victim rejected the corrupted peer segments: ${JSON.stringify(end.stats)}`);
    assert.equal(bytes.p2p, 0, 'every peer segment was corrupted, so none may have been used');
    assert.ok(bytes.segments >= CREATIVE_SECONDS - 1, `every creative segment came (over HTTP): ${JSON.stringify(bytes)}`);
    const deadline = Date.now() + 5000;
    while ((await completes()) < before + 2 && Date.now() < deadline) await sleep(100);
    assert.equal(await completes(), before + 2, 'the victim’s and the seeder’s complete beacons reached the origin');
  });
});
