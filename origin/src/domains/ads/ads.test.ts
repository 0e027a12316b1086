import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DOMParser } from './xml-dom.ts';
import { VASTParser } from '@dailymotion/vast-client';
import { XMLParser } from 'fast-xml-parser';
import { adAssetListSchema, HLS_INTERSTITIAL_CLASS, type AdAssetList } from '@spherecast/shared';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

const HOUR = 3600_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

/** An ad server of the test's own: a wrapper, the InLine it points at, and a tag that never answers. */
async function startAdServer(): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const open = new Set<ServerResponse>();
  let base = '';
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    hits.push(request.url ?? '');
    if (request.url === '/hang') {
      open.add(response);
      return;
    }
    response.setHeader('content-type', 'application/xml');
    if (request.url === '/wrapper.xml') {
      response.end(
        `<?xml version="1.0"?><VAST version="4.2"><Ad id="w1"><Wrapper><AdSystem>Net</AdSystem><VASTAdTagURI><![CDATA[${base}/inline.xml]]></VASTAdTagURI>` +
          `<Impression><![CDATA[${base}/px/wrapper-impression]]></Impression><Creatives><Creative><Linear><TrackingEvents>` +
          `<Tracking event="complete"><![CDATA[${base}/px/wrapper-complete]]></Tracking></TrackingEvents></Linear></Creative></Creatives></Wrapper></Ad></VAST>`,
      );
    } else if (request.url === '/inline.xml') {
      response.end(
        `<?xml version="1.0"?><VAST version="4.2"><Ad id="external-ad-7"><InLine><AdSystem>Net</AdSystem><AdTitle>Sneakers</AdTitle>` +
          `<Impression><![CDATA[${base}/px/inline-impression]]></Impression><Creatives><Creative><Linear skipoffset="00:00:03">` +
          `<Duration>00:00:06.000</Duration><TrackingEvents><Tracking event="start"><![CDATA[${base}/px/inline-start]]></Tracking></TrackingEvents>` +
          `<VideoClicks><ClickThrough><![CDATA[https://shop.example/sneakers]]></ClickThrough></VideoClicks>` +
          `<MediaFiles><MediaFile delivery="progressive" type="video/mp4" width="640" height="360"><![CDATA[${base}/ad.mp4]]></MediaFile>` +
          `<MediaFile delivery="streaming" type="application/x-mpegURL" width="640" height="360"><![CDATA[${base}/ad/master.m3u8]]></MediaFile></MediaFiles>` +
          `</Linear></Creative></Creatives></InLine></Ad></VAST>`,
      );
    } else {
      response.statusCode = 404;
      response.end('<nothing/>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    hits,
    close: async () => {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

for (const kind of await testDatabaseKinds()) {
  describe(`ads: campaigns, decisions, VAST, beacons, interstitials (${kind})`, () => {
    let t: TestOrigin;
    let admin: TestUser;
    let advertiser: TestUser;
    let rival: TestUser;
    let creator: TestUser;
    let viewer: TestUser;
    let adServer: Awaited<ReturnType<typeof startAdServer>>;

    before(async () => {
      [t, adServer] = await Promise.all([startTestOrigin(kind), startAdServer()]);
      admin = await t.user('ads_admin', 'admin');
      advertiser = await t.user('brand', 'advertiser');
      rival = await t.user('rival_brand', 'advertiser');
      creator = await t.user('filmmaker');
      viewer = await t.user('watcher', 'viewer');
    });
    after(async () => {
      await Promise.all([t.close(), adServer.close()]);
    });

    const campaignBody = (overrides: Record<string, unknown> = {}) => ({
      name: 'Summer drinks',
      creativeForm: '360',
      clickThroughUrl: 'https://drinks.example/summer',
      skipOffsetSeconds: 5,
      startsAt: at(-HOUR),
      endsAt: at(24 * HOUR),
      budgetImpressions: 100,
      frequencyCapPerDay: 1,
      ...overrides,
    });

    /** A campaign whose creative is published (as the upload pipeline would leave it). */
    async function readyCampaign(overrides: Record<string, unknown> = {}, as = advertiser): Promise<{ id: string; creativeId: string }> {
      const created = await t.http('POST', '/api/ads/campaigns', { token: as.token, body: campaignBody(overrides) });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const creativeId = created.body.creative.contentId as string;
      await t.origin.services.prisma.content.update({
        where: { id: creativeId },
        data: {
          status: 'ready',
          publishedPath: `${creativeId}/p1`,
          masterFile: 'master.m3u8',
          durationSeconds: 10,
          projection: 'equirectangular-mono',
          publishedAt: new Date(),
        },
      });
      return { id: created.body.id, creativeId };
    }

    async function withPrerollContent(fields: Record<string, unknown> = {}): Promise<string> {
      const contentId = await readyContent(t, creator, { title: 'Surf', genre: 'sports', tags: ['surf'], ...fields });
      const placed = await t.http('PUT', `/api/ads/placements/${contentId}`, {
        token: creator.token,
        body: { preroll: true, midrollSeconds: [30], postroll: true },
      });
      assert.equal(placed.status, 200, JSON.stringify(placed.body));
      return contentId;
    }

    const assets = async (contentId: string, viewerId: string, position = 'preroll'): Promise<AdAssetList> => {
      const answer = await t.http(
        'GET',
        `/api/ads/assets?contentId=${contentId}&position=${position}&break=ad-pre&viewerId=${viewerId}&_HLS_primary_id=abc&_HLS_start_offset=0`,
      );
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.match(answer.headers.get('cache-control') ?? '', /no-store/);
      return adAssetListSchema.parse(answer.body);
    };

    const fire = (url: string) => fetch(url.replace('[ERRORCODE]', '0')).then((response) => response.status);

    test('an admin makes an account an advertiser; only advertisers and admins run campaigns, each sees only their own', async () => {
      const newcomer = await t.user('new_brand', 'viewer');
      assert.equal((await t.http('POST', '/api/ads/campaigns', { token: newcomer.token, body: campaignBody() })).status, 403);
      assert.equal((await t.http('POST', '/api/ads/advertisers', { token: creator.token, body: { username: 'new_brand' } })).status, 403);
      const granted = await t.http('POST', '/api/ads/advertisers', { token: admin.token, body: { username: 'new_brand' } });
      assert.equal(granted.status, 200, JSON.stringify(granted.body));
      assert.equal(granted.body.role, 'advertiser');
      const own = await t.http('POST', '/api/ads/campaigns', { token: newcomer.token, body: campaignBody({ name: 'First campaign' }) });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.equal((await t.http('DELETE', `/api/ads/campaigns/${own.body.id}`, { token: newcomer.token })).status, 200);

      assert.equal((await t.http('POST', '/api/ads/campaigns', { body: campaignBody() })).status, 401);
      assert.equal((await t.http('POST', '/api/ads/campaigns', { token: creator.token, body: campaignBody() })).status, 403);
      const created = await t.http('POST', '/api/ads/campaigns', { token: advertiser.token, body: campaignBody() });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.advertiser.username, 'brand');
      assert.equal(created.body.creative.status, 'draft');
      // The creative is an unlisted content of the advertiser's: out of search and home.
      const creative = await t.origin.services.prisma.content.findUniqueOrThrow({
        where: { id: created.body.creative.contentId },
        select: { visibility: true, ownerId: true },
      });
      assert.deepEqual(creative, { visibility: 'unlisted', ownerId: advertiser.id });

      const id = created.body.id as string;
      assert.equal((await t.http('GET', `/api/ads/campaigns/${id}`, { token: rival.token })).status, 404);
      assert.equal((await t.http('PATCH', `/api/ads/campaigns/${id}`, { token: rival.token, body: { paused: true } })).status, 404);
      assert.equal((await t.http('GET', `/api/ads/campaigns/${id}/report`, { token: rival.token })).status, 404);
      assert.equal((await t.http('DELETE', `/api/ads/campaigns/${id}`, { token: rival.token })).status, 404);
      assert.equal((await t.http('GET', '/api/ads/campaigns', { token: rival.token })).body.items.length, 0);
      const patched = await t.http('PATCH', `/api/ads/campaigns/${id}`, { token: admin.token, body: { name: 'Summer drinks II', budgetImpressions: 50 } });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.name, 'Summer drinks II');
      const mine = await advertiser.caller.ads.campaigns.list();
      assert.deepEqual(
        mine.items.map((c) => c.name),
        ['Summer drinks II'],
      );
      const bad = await t.http('POST', '/api/ads/campaigns', {
        token: advertiser.token,
        body: campaignBody({ endsAt: at(-2 * HOUR), clickThroughUrl: 'javascript:alert(1)' }),
      });
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /clickThroughUrl|endsAt/);
      assert.equal((await t.http('DELETE', `/api/ads/campaigns/${id}`, { token: advertiser.token })).status, 200);
      const doc = await t.http('GET', '/openapi.json');
      assert.equal(doc.status, 200);
      assert.ok(doc.body.paths['/ads/campaigns'].post && doc.body.paths['/ads/campaigns/{id}/report'].get && doc.body.paths['/ads/placements/{contentId}'].put);
    });

    test('creators choose the breaks of their own content only; without a placement no ad runs', async () => {
      const contentId = await readyContent(t, creator, { title: 'Mountains' });
      const other = await t.user('other_maker');
      assert.equal((await t.http('PUT', `/api/ads/placements/${contentId}`, { token: other.token, body: { preroll: true } })).status, 403);
      assert.equal((await t.http('PUT', `/api/ads/placements/${contentId}`, { token: creator.token, body: { midrollSeconds: [-3] } })).status, 400);
      await readyCampaign({ name: 'Anything' });
      assert.deepEqual((await assets(contentId, 'viewer-no-placement-1')).ASSETS, []);
      const set = await t.http('PUT', `/api/ads/placements/${contentId}`, { token: creator.token, body: { preroll: true, midrollSeconds: [40, 20, 20] } });
      assert.deepEqual(set.body.midrollSeconds, [20, 40]);
      assert.equal((await assets(contentId, 'viewer-no-placement-1')).ASSETS.length, 1);
      // Breaks not chosen get nothing.
      assert.deepEqual((await assets(contentId, 'viewer-no-placement-1', 'postroll')).ASSETS, []);
      await t.origin.services.prisma.adCampaign.updateMany({ data: { paused: true } });
    });

    test('the VAST document is valid VAST 4 with the creative, skip offset, click-through and signed beacons', async () => {
      const campaign = await readyCampaign({ name: 'VAST check', skipOffsetSeconds: 5 });
      const contentId = await withPrerollContent();
      const answer = await fetch(`${t.url}/api/ads/vast?contentId=${contentId}&position=preroll&viewerId=vast-viewer-000001`);
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /application\/xml/);
      const xml = await answer.text();
      const tree = new XMLParser({ ignoreAttributes: false }).parse(xml);
      assert.equal(tree.VAST['@_version'], '4.2');
      const parsed = await new VASTParser().parseVAST(new DOMParser().parseFromString(xml, 'text/xml'));
      assert.equal(parsed.ads.length, 1);
      const [ad] = parsed.ads;
      const linear = ad.creatives.find((creative: { type: string }) => creative.type === 'linear');
      assert.equal(linear.duration, 10);
      assert.equal(linear.skipDelay, 5);
      assert.equal(linear.videoClickThroughURLTemplate.url, 'https://drinks.example/summer');
      assert.equal(linear.mediaFiles[0].mimeType, 'application/x-mpegURL');
      assert.match(linear.mediaFiles[0].fileURL, new RegExp(`/media/~[^/]+/${campaign.creativeId}/p1/master\\.m3u8$`));
      for (const event of ['start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'complete', 'skip']) {
        assert.match(linear.trackingEvents[event][0], /\/api\/ads\/beacon\?i=/);
      }
      assert.match(ad.impressionURLTemplates[0].url, /\/api\/ads\/beacon\?i=.*&e=impression&s=/);
      // The creative's signed master is served (the creative is unlisted).
      const media = await fetch(linear.mediaFiles[0].fileURL);
      assert.notEqual(media.status, 403);
      await media.body?.cancel();
      // No campaign for this break: an empty VAST document.
      const empty = await (await fetch(`${t.url}/api/ads/vast?contentId=${contentId}&position=midroll&viewerId=vast-viewer-000001`)).text();
      assert.equal((await new VASTParser().parseVAST(new DOMParser().parseFromString(empty, 'text/xml'))).ads.length, 1, 'mid-roll runs too');
      const bad = await t.http('GET', `/api/ads/vast?contentId=nope&position=preroll`);
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /contentId/);
      await t.origin.services.prisma.adCampaign.update({ where: { id: campaign.id }, data: { paused: true } });
    });

    test('targeting, schedule and budget decide which campaign a content gets', async () => {
      const surf = await withPrerollContent({ genre: 'sports', tags: ['surf'], location: { placeName: 'Biarritz', latitude: 43.48, longitude: -1.56 } });
      const music = await withPrerollContent({
        title: 'Concert',
        genre: 'music',
        tags: ['live'],
        location: { placeName: 'Berlin', latitude: 52.52, longitude: 13.4 },
      });
      const sports = await readyCampaign({
        name: 'Sports only',
        targeting: { genres: ['sports'], tags: [], place: null, delivery: 'vod' },
        frequencyCapPerDay: 100,
      });
      const nearby = await readyCampaign({
        name: 'Near Berlin',
        targeting: { genres: [], tags: [], place: { placeName: 'Berlin', latitude: 52.5, longitude: 13.3, radiusKm: 50 }, delivery: 'any' },
        frequencyCapPerDay: 100,
      });
      const liveOnly = await readyCampaign({ name: 'Live only', targeting: { genres: [], tags: [], place: null, delivery: 'live' }, frequencyCapPerDay: 100 });
      const later = await readyCampaign({ name: 'Next week', startsAt: at(7 * 24 * HOUR), endsAt: at(8 * 24 * HOUR), frequencyCapPerDay: 100 });
      const spent = await readyCampaign({ name: 'Spent', budgetImpressions: 1, frequencyCapPerDay: 100 });
      await t.origin.services.prisma.adCampaign.update({ where: { id: spent.id }, data: { impressions: 1 } });

      const campaignOf = (list: AdAssetList) => list.ASSETS[0]?.['X-SPHERECAST-AD'].campaignId ?? null;
      assert.equal(campaignOf(await assets(surf, 'targeting-viewer-01')), sports.id);
      assert.equal(campaignOf(await assets(music, 'targeting-viewer-01')), nearby.id);
      const chosen = new Set<string | null>();
      for (let i = 0; i < 4; i++) chosen.add(campaignOf(await assets(music, `targeting-viewer-0${i + 2}`)));
      assert.ok(!chosen.has(liveOnly.id) && !chosen.has(later.id) && !chosen.has(spent.id) && !chosen.has(sports.id), [...chosen].join());
      const asset = (await assets(surf, 'targeting-viewer-09')).ASSETS[0]!;
      assert.deepEqual(asset['X-SPHERECAST-AD'].form, { kind: '360', projection: 'equirectangular-mono' });
      assert.equal(asset['X-SPHERECAST-AD'].skipOffsetSeconds, 5);
      assert.equal(asset.DURATION, 10);
      await t.origin.services.prisma.adCampaign.updateMany({ data: { paused: true } });
    });

    test('beacons are recorded once each, in order; the impression counts against the budget; the report shows the day; a cap of 1 stops a second impression', async () => {
      const campaign = await readyCampaign({ name: 'Capped', frequencyCapPerDay: 1 });
      const contentId = await withPrerollContent();
      const first = await assets(contentId, 'capped-viewer-00001');
      assert.equal(first.ASSETS.length, 1);
      const { tracking } = first.ASSETS[0]!['X-SPHERECAST-AD'];
      const order = ['impression', 'start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'clickTracking', 'complete'] as const;
      for (const event of order) assert.equal(await fire(tracking[event]![0]!), 204, event);
      // A replay counts nothing; a forged signature is refused.
      assert.equal(await fire(tracking.impression![0]!), 204);
      const forged = new URL(tracking.impression![0]!);
      forged.searchParams.set('e', 'complete');
      assert.equal(await fire(tracking.start![0]!.replace(/e=start/, 'e=complete')), 403);
      const events = await t.origin.services.prisma.adEvent.findMany({ where: { campaignId: campaign.id }, orderBy: { id: 'asc' }, select: { event: true } });
      assert.deepEqual(
        events.map((e) => e.event),
        [...order],
      );
      const row = await t.origin.services.prisma.adCampaign.findUniqueOrThrow({ where: { id: campaign.id }, select: { impressions: true } });
      assert.equal(row.impressions, 1);

      // Same viewer, same day: capped. Another viewer still gets it.
      assert.deepEqual((await assets(contentId, 'capped-viewer-00001')).ASSETS, []);
      assert.equal((await assets(contentId, 'capped-viewer-00002')).ASSETS.length, 1);

      const report = await advertiser.caller.ads.campaigns.report({ id: campaign.id });
      const today = new Date().toISOString().slice(0, 10);
      assert.deepEqual(report.days, [{ day: today, impressions: 1, completes: 1, completionRate: 1, clicks: 1, skips: 0 }]);
      assert.equal(report.totals.impressions, 1);
      const viaRest = await t.http('GET', `/api/ads/campaigns/${campaign.id}/report?days=7`, { token: admin.token });
      assert.equal(viaRest.status, 200);
      assert.equal(viaRest.body.days[0].impressions, 1);
      await t.origin.services.prisma.adCampaign.update({ where: { id: campaign.id }, data: { paused: true } });
    });

    test('an external VAST tag is read through its wrapper; a tag that never answers is skipped within the limit', async () => {
      const contentId = await withPrerollContent();
      const tag = await t.http('POST', '/api/ads/campaigns', {
        token: advertiser.token,
        body: campaignBody({ name: 'Ad network', vastTagUrl: `${adServer.url}/wrapper.xml`, frequencyCapPerDay: 100 }),
      });
      assert.equal(tag.status, 200, JSON.stringify(tag.body));
      assert.equal(tag.body.creative, null);
      const list = await assets(contentId, 'external-viewer-01');
      assert.equal(list.ASSETS.length, 1);
      const [asset] = list.ASSETS;
      assert.equal(asset!.URI, `${adServer.url}/ad/master.m3u8`);
      assert.equal(asset!.DURATION, 6);
      const details = asset!['X-SPHERECAST-AD'];
      assert.equal(details.campaignId, null);
      assert.equal(details.skipOffsetSeconds, 3);
      assert.equal(details.clickThrough, 'https://shop.example/sneakers');
      // Our own beacon first, then the InLine's and the wrapper's.
      assert.match(details.tracking.impression![0]!, /\/api\/ads\/beacon\?/);
      assert.ok(details.tracking.impression!.includes(`${adServer.url}/px/inline-impression`));
      assert.ok(details.tracking.impression!.includes(`${adServer.url}/px/wrapper-impression`));
      assert.ok(details.tracking.complete!.includes(`${adServer.url}/px/wrapper-complete`));
      assert.ok(adServer.hits.includes('/wrapper.xml') && adServer.hits.includes('/inline.xml'));
      // Its impression still counts for the campaign.
      assert.equal(await fire(details.tracking.impression![0]!), 204);
      assert.equal((await t.origin.services.prisma.adCampaign.findUniqueOrThrow({ where: { id: tag.body.id }, select: { impressions: true } })).impressions, 1);

      // The VAST endpoint wraps the external tag.
      const vast = await (await fetch(`${t.url}/api/ads/vast?contentId=${contentId}&position=preroll&viewerId=external-viewer-02`)).text();
      assert.match(vast, /<Wrapper[^>]*><AdSystem[^>]*>Spherecast<\/AdSystem><VASTAdTagURI><!\[CDATA\[http:\/\/127\.0\.0\.1:\d+\/wrapper\.xml\]\]>/);

      await t.http('PATCH', `/api/ads/campaigns/${tag.body.id}`, { token: advertiser.token, body: { vastTagUrl: `${adServer.url}/hang` } });
      // The tag never answers: no ad, and no error for the viewer (the fetch alone would wait forever).
      assert.deepEqual((await assets(contentId, 'external-viewer-03')).ASSETS, []);
      assert.ok(adServer.hits.includes('/hang'));
      await t.http('PATCH', `/api/ads/campaigns/${tag.body.id}`, { token: advertiser.token, body: { vastTagUrl: `${adServer.url}/missing.xml` } });
      assert.deepEqual((await assets(contentId, 'external-viewer-04')).ASSETS, []);
      await t.http('PATCH', `/api/ads/campaigns/${tag.body.id}`, { token: advertiser.token, body: { paused: true } });
    });

    test('media playlists of a content with ad breaks declare them as interstitials; others are served untouched', async () => {
      const contentId = await withPrerollContent();
      const plain = await readyContent(t, creator, { title: 'No ads' });
      const playlist = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-MAP:URI="init.mp4"'];
      for (let i = 0; i < 15; i++) playlist.push('#EXTINF:4.000,', `seg_${i}.m4s`);
      playlist.push('#EXT-X-ENDLIST', '');
      const text = playlist.join('\n');
      const master = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=256x128\n256x128/index.m3u8\n';
      for (const id of [contentId, plain]) {
        const dir = path.join(t.origin.services.config.mediaDir, 'published', id, 'p1');
        await mkdir(path.join(dir, '256x128'), { recursive: true });
        await writeFile(path.join(dir, 'master.m3u8'), master);
        await writeFile(path.join(dir, '256x128', 'index.m3u8'), text);
      }
      const served = await fetch(`${t.url}/media/${contentId}/p1/256x128/index.m3u8`);
      assert.equal(served.status, 200);
      const body = await served.text();
      assert.equal(Number(served.headers.get('content-length')), Buffer.byteLength(body));
      assert.match(served.headers.get('cache-control') ?? '', /public, max-age=2/);
      const ranges = body.split('\n').filter((line) => line.startsWith('#EXT-X-DATERANGE:'));
      assert.equal(ranges.length, 3);
      assert.ok(ranges.every((line) => line.includes(`CLASS="${HLS_INTERSTITIAL_CLASS}"`) && line.includes('X-RESTRICT="JUMP"')));
      assert.ok(ranges[0]!.includes('CUE="PRE"') && ranges[2]!.includes('CUE="POST"'));
      assert.ok(ranges[1]!.includes('START-DATE="2000-01-01T00:00:30.000Z"'));
      assert.match(body, /#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:00.000Z\n#EXT-X-MAP/);
      // The asset list a DATERANGE names answers for the viewer who follows it.
      const listPath = /X-ASSET-LIST="([^"]+)"/.exec(ranges[0]!)![1]!;
      const list = await fetch(`${t.url}${listPath}&_HLS_primary_id=p1&_HLS_start_offset=0`, { headers: { authorization: `Bearer ${viewer.token}` } });
      assert.equal(list.status, 200);
      adAssetListSchema.parse(await list.json());
      // Same bytes for every viewer.
      assert.equal(
        await (await fetch(`${t.url}/media/${contentId}/p1/256x128/index.m3u8`, { headers: { authorization: `Bearer ${viewer.token}` } })).text(),
        body,
      );
      // The master, and content without breaks, as stored.
      assert.equal(await (await fetch(`${t.url}/media/${contentId}/p1/master.m3u8`)).text(), master);
      assert.equal(await (await fetch(`${t.url}/media/${plain}/p1/256x128/index.m3u8`)).text(), text);
    });

    test('a live channel with a mid-roll every N minutes: its live playlist declares the breaks of its window from the broadcast start, and live-only campaigns run', async () => {
      const opened = await t.http('POST', '/api/live/channels', { token: creator.token, body: { title: 'Live surf', genre: 'sports' } });
      assert.equal(opened.status, 200, JSON.stringify(opened.body));
      const channel = await t.origin.services.prisma.liveChannel.findUniqueOrThrow({ where: { id: opened.body.id }, select: { contentId: true } });
      const { contentId } = channel;
      const startedAt = new Date(Date.now() - 125_000);
      await t.origin.services.prisma.liveChannel.update({ where: { id: opened.body.id }, data: { state: 'live', startedAt, lastIngestAt: new Date() } });
      await t.origin.services.prisma.content.update({ where: { id: contentId }, data: { status: 'live', publishedPath: `${contentId}/b1` } });
      const placed = await t.http('PUT', `/api/ads/placements/${contentId}`, { token: creator.token, body: { preroll: true, liveMidrollEveryMinutes: 1 } });
      assert.equal(placed.status, 200, JSON.stringify(placed.body));
      // The live window: the last 20 s, 2 s segments with their dates, as the origin writes it.
      const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:50', '#EXT-X-MAP:URI="init_0.mp4"'];
      const windowStart = Date.now() - 20_000;
      for (let i = 0; i < 10; i++)
        lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(windowStart + i * 2000).toISOString()}`, '#EXTINF:2.000,', `seg_${50 + i}.m4s`);
      const dir = path.join(t.origin.services.config.mediaDir, 'published', contentId, 'b1', '160x80');
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'index.m3u8'), `${lines.join('\n')}\n`);
      const served = await fetch(`${t.url}/media/${contentId}/b1/160x80/index.m3u8`);
      assert.equal(served.status, 200);
      const ranges = (await served.text()).split('\n').filter((line) => line.startsWith('#EXT-X-DATERANGE:'));
      const ids = ranges.map((line) => /ID="([^"]+)"/.exec(line)![1]);
      // Started 125 s ago, window from 20 s ago, a minute of look-ahead: the break at 2:00 and the one at 3:00.
      assert.deepEqual(ids, ['ad-pre', 'ad-live-2', 'ad-live-3']);
      assert.ok(ranges[0]!.includes(`START-DATE="${startedAt.toISOString()}"`));
      assert.ok(ranges[1]!.includes(`START-DATE="${new Date(startedAt.getTime() + 120_000).toISOString()}"`));
      assert.ok(!ranges[1]!.includes('X-RESUME-OFFSET'), 'after a live break the viewer goes back to the live edge');

      const live = await readyCampaign({ name: 'Live only', targeting: { genres: [], tags: [], place: null, delivery: 'live' }, frequencyCapPerDay: 10 });
      const list = await assets(contentId, 'live-viewer-000001', 'midroll');
      assert.equal(list.ASSETS[0]?.['X-SPHERECAST-AD'].campaignId, live.id);
      await t.origin.services.prisma.adCampaign.update({ where: { id: live.id }, data: { paused: true } });
    });
  });
}
