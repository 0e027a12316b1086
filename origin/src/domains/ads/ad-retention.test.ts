// Retention of ad decisions (#14): decisions never shown go after two days; shown impressions, decisions
// with beacons, and recent decisions stay, and the campaign's report reads the same before and after.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runningNow } from '../../test-support/ad-fixtures.ts';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';
import { utcDay } from './ad-decision.ts';
import { AdDecisionRetention, UNSHOWN_DECISION_RETENTION_MS } from './ad-retention.ts';

const HOUR = 3600_000;

describe('ad decision retention (pglite)', () => {
  let t: TestOrigin;
  let advertiser: TestUser;
  let campaignId: string;
  let contentId: string;

  before(async () => {
    t = await startTestOrigin('pglite');
    advertiser = await t.user('retention_brand', 'advertiser');
    const creator = await t.user('retention_maker');
    const campaign = await advertiser.caller.ads.campaigns.create({
      name: 'Retention spot',
      vastTagUrl: 'https://ads.example/vast.xml',
      ...runningNow(),
      budgetImpressions: 100,
      frequencyCapPerDay: 3,
    });
    campaignId = campaign.id;
    contentId = await readyContent(t, creator, { title: 'Feature with breaks' });
  });

  after(async () => {
    await t?.close();
  });

  /** One decision as the ad decision writes it, made `ageMs` ago; shown (with its impression beacon) or not, with other beacons. */
  async function decision(viewer: string, ageMs: number, shown: boolean, events: string[] = []): Promise<string> {
    const { prisma } = t.origin.services;
    const createdAt = new Date(Date.now() - ageMs);
    const row = await prisma.adImpression.create({
      data: {
        campaignId,
        contentId,
        position: 'preroll',
        viewerKey: `viewer:${viewer}`,
        day: utcDay(createdAt),
        createdAt,
        impressedAt: shown ? createdAt : null,
      },
      select: { id: true },
    });
    const all = shown ? ['impression', ...events] : events;
    if (all.length > 0) await prisma.adEvent.createMany({ data: all.map((event) => ({ impressionId: row.id, campaignId, event, createdAt })) });
    return row.id;
  }

  const report = () => advertiser.caller.ads.campaigns.report({ id: campaignId, days: 7 });

  test('unshown decisions older than two days are deleted by the sweep; shown ones, ones with beacons and recent ones stay, and the report is unchanged', async () => {
    const old = UNSHOWN_DECISION_RETENTION_MS + HOUR;
    const stale = await Promise.all([decision('stale-1', old, false), decision('stale-2', 3 * 24 * HOUR, false)]);
    const kept = await Promise.all([
      decision('shown-old', old, true, ['start', 'complete']),
      decision('errored-old', old, false, ['error']),
      decision('recent', UNSHOWN_DECISION_RETENTION_MS - HOUR, false),
      decision('today', 0, false),
    ]);
    const reportBefore = await report();
    assert.equal(reportBefore.totals.impressions, 1);

    const retention = new AdDecisionRetention(t.origin.services, (error) => assert.fail(String(error)));
    assert.equal(await retention.sweep(), stale.length);

    const left = await t.origin.services.prisma.adImpression.findMany({ where: { campaignId }, select: { id: true } });
    assert.deepEqual(left.map((row) => row.id).sort(), [...kept].sort());
    assert.equal(await t.origin.services.prisma.adEvent.count({ where: { campaignId } }), 4, 'every beacon recorded is kept');
    assert.deepEqual(await report(), reportBefore);
    assert.equal(await retention.sweep(), 0, 'nothing more to delete');
  });

  test('a decision is kept for as long as its signed beacon URLs work, when that is longer than two days', async () => {
    const { config } = t.origin.services;
    const ttl = config.mediaUrlTtlSeconds;
    config.mediaUrlTtlSeconds = 4 * 24 * 3600;
    try {
      const within = await decision('beacon-ttl-within', 3 * 24 * HOUR, false);
      const past = await decision('beacon-ttl-past', 4 * 24 * HOUR + HOUR, false);
      await new AdDecisionRetention(t.origin.services, (error) => assert.fail(String(error))).sweep();
      const ids = (await t.origin.services.prisma.adImpression.findMany({ where: { id: { in: [within, past] } }, select: { id: true } })).map((r) => r.id);
      assert.deepEqual(ids, [within]);
    } finally {
      config.mediaUrlTtlSeconds = ttl;
    }
  });

  test('once started, it sweeps on its own; destroy stops it', async () => {
    const stale = await decision('periodic', UNSHOWN_DECISION_RETENTION_MS + HOUR, false);
    const retention = new AdDecisionRetention(t.origin.services, (error) => assert.fail(String(error)), 50);
    retention.start();
    try {
      const deadline = Date.now() + 10_000;
      while ((await t.origin.services.prisma.adImpression.count({ where: { id: stale } })) > 0) {
        assert.ok(Date.now() < deadline, 'the periodic sweep did not delete the stale decision');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await retention.destroy();
    }
  });
});
