// Alerts beyond the admin form: Common Alerting Protocol 1.2 documents posted by automated sources,
// alert areas against the location of what a page shows, and alerts that start later.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Alert, RealtimeEvent } from '@spherecast/shared';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { RealtimeSseClient } from '../../test-support/sse-client.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';
import { CAP_BODY_MAX_BYTES } from './cap.ts';

const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000);
/** CAP date-times: a numeric offset, never "Z". */
const capTime = (date: Date) => date.toISOString().replace(/\.\d+Z$/, '-00:00');

function capDocument(overrides: { status?: string; sent?: string; info?: string; namespace?: string; prolog?: string } = {}): string {
  const info =
    overrides.info ??
    `<info>
      <language>en-US</language>
      <category>Met</category>
      <event>Severe Thunderstorm</event>
      <urgency>Immediate</urgency>
      <severity>Extreme</severity>
      <certainty>Observed</certainty>
      <expires>${capTime(inHours(2))}</expires>
      <senderName>Alpine Weather Service</senderName>
      <headline>Extreme thunderstorm over the Zugspitze</headline>
      <description>Hail and lightning near the summit.</description>
      <instruction>Leave exposed ridges now.</instruction>
      <area>
        <areaDesc>Zugspitze and surroundings</areaDesc>
        <circle>47.4211,10.9853 25</circle>
      </area>
    </info>`;
  return `${overrides.prolog ?? '<?xml version="1.0" encoding="UTF-8"?>'}
<alert xmlns="${overrides.namespace ?? 'urn:oasis:names:tc:emergency:cap:1.2'}">
  <identifier>AWS-2030-0042</identifier>
  <sender>warnings@alpine-weather.example</sender>
  <sent>${overrides.sent ?? capTime(new Date())}</sent>
  <status>${overrides.status ?? 'Actual'}</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  ${info}
</alert>`;
}

describe('alerts: CAP 1.2, areas, scheduled start (PGlite)', () => {
  let t: TestOrigin;
  let admin: TestUser;
  let viewer: TestUser;
  const clients: RealtimeSseClient[] = [];
  // Anonymous subscriptions from one address are bounded (REALTIME_LIMITS.subscriptionsPerUser): each test closes its own.
  const closeAll = async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  };
  const subscribe = async (input: { contentId?: string }) => {
    const client = new RealtimeSseClient(t.url, input);
    clients.push(client);
    await client.open();
    assert.equal(client.status, 200, client.errorBody);
    await client.waitFor((event) => event.type === 'ready');
    return client;
  };
  const postCap = async (xml: string, token = admin.token, contentType = 'application/xml') => {
    const response = await fetch(`${t.url}/api/alerts/cap`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body: xml,
    });
    return { status: response.status, body: (await response.json()) as Alert & { message: string } };
  };
  const isAlert = (id: string) => (event: RealtimeEvent) => event.type === 'alert' && event.alert.id === id;

  before(async () => {
    t = await startTestOrigin('pglite');
    admin = await t.user('cap_admin', 'admin');
    viewer = await t.user('cap_viewer', 'viewer');
  });
  afterEach(closeAll);
  after(async () => {
    await t.close();
  });

  test('a CAP 1.2 alert from an admin is mapped (severity, headline, text, circle, expiry) and reaches open pages', async () => {
    const home = await subscribe({});
    const answer = await postCap(capDocument());
    assert.equal(answer.status, 201, answer.body.message);
    const alert = answer.body;
    assert.equal(alert.severity, 'extreme');
    assert.equal(alert.headline, 'Extreme thunderstorm over the Zugspitze');
    assert.equal(alert.body, 'Hail and lightning near the summit.\n\nLeave exposed ridges now.');
    assert.deepEqual(alert.area, { kind: 'circle', placeName: 'Zugspitze and surroundings', latitude: 47.4211, longitude: 10.9853, radiusKm: 25 });
    assert.ok(Math.abs(Date.parse(alert.expiresAt) - inHours(2).getTime()) < 120_000);
    await home.waitFor(isAlert(alert.id));
    await admin.caller.alerts.expire({ id: alert.id });
  });

  test('a document that does not follow CAP 1.2 is refused with 400 and the reason', async () => {
    const cases: [string, string, RegExp][] = [
      ['not XML', '<alert><identifier>', /well-formed/],
      ['wrong namespace', capDocument({ namespace: 'urn:oasis:names:tc:emergency:cap:1.1' }), /namespace/],
      ['missing <sender>', capDocument().replace(/<sender>.*<\/sender>/, ''), /required element <sender>/],
      ['elements out of order', capDocument().replace(/(<status>.*<\/status>)\s*(<msgType>.*<\/msgType>)/, '$2$1'), /comes too late/],
      ['unknown status', capDocument({ status: 'Real' }), /<status> is "Real"/],
      ['a "Z" time', capDocument({ sent: new Date().toISOString() }), /numeric offset/],
      ['a bad circle', capDocument().replace('47.4211,10.9853 25', '47.4211 10.9853'), /circle/],
      ['a bad severity', capDocument().replace('<severity>Extreme</severity>', '<severity>Apocalyptic</severity>'), /severity/],
      ['an element CAP does not define', capDocument().replace('<scope>Public</scope>', '<scope>Public</scope><priority>1</priority>'), /does not define/],
      [
        'an external entity (XXE)',
        capDocument({ prolog: '<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>' }).replace('Hail and lightning', '&x;'),
        /DOCTYPE/,
      ],
    ];
    for (const [what, xml, reason] of cases) {
      const answer = await postCap(xml);
      assert.equal(answer.status, 400, `${what}: ${JSON.stringify(answer.body)}`);
      assert.match(answer.body.message, reason, what);
    }
    assert.equal((await t.anonymous.alerts.active()).items.length, 0);
  });

  test('CAP that is valid but not for viewers is 422; non-admins, missing tokens, other types and oversize bodies are refused', async () => {
    const test = await postCap(capDocument({ status: 'Test' }));
    assert.equal(test.status, 422);
    assert.match(test.body.message, /only Actual/);
    assert.equal((await postCap(capDocument(), viewer.token)).status, 403);
    const anonymous = await fetch(`${t.url}/api/alerts/cap`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: capDocument() });
    assert.equal(anonymous.status, 401);
    assert.equal((await postCap(capDocument(), admin.token, 'text/plain')).status, 415);
    const huge = capDocument().replace('Hail and lightning', 'x'.repeat(CAP_BODY_MAX_BYTES));
    assert.equal((await postCap(huge)).status, 413);
    assert.equal((await t.anonymous.alerts.active()).items.length, 0);
  });

  test('an alert for a place reaches pages of content inside its circle and pages whose location is unknown, not content elsewhere', async () => {
    const creator = await t.user('cap_creator');
    const summit = await readyContent(t, creator, { title: 'Summit cam' });
    const harbour = await readyContent(t, creator, { title: 'Harbour cam' });
    const unplaced = await readyContent(t, creator, { title: 'Somewhere' });
    const prisma = t.origin.services.prisma;
    await prisma.content.update({ where: { id: summit }, data: { placeName: 'Zugspitze', latitude: 47.42, longitude: 10.99 } });
    await prisma.content.update({ where: { id: harbour }, data: { placeName: 'Sydney', latitude: -33.86, longitude: 151.21 } });
    const pages = {
      home: await subscribe({}),
      summit: await subscribe({ contentId: summit }),
      harbour: await subscribe({ contentId: harbour }),
      unplaced: await subscribe({ contentId: unplaced }),
    };
    const alert = await admin.caller.alerts.create({
      headline: 'Avalanche danger',
      body: 'Level 4 above 2000 m.',
      severity: 'severe',
      area: { kind: 'circle', placeName: 'Garmisch-Partenkirchen', latitude: 47.49, longitude: 11.1, radiusKm: 30 },
      expiresAt: inHours(1).toISOString(),
    });
    for (const page of [pages.home, pages.summit, pages.unplaced]) await page.waitFor(isAlert(alert.id));
    // The harbour page heard the same bus message (the others got it) and left it out; a page opened now, too.
    assert.ok(!pages.harbour.events.some((e) => isAlert(alert.id)(e.event)));
    const laterHarbour = await subscribe({ contentId: harbour });
    const laterSummit = await subscribe({ contentId: summit });
    assert.ok(!laterHarbour.events.some((e) => isAlert(alert.id)(e.event)));
    assert.ok(laterSummit.events.some((e) => isAlert(alert.id)(e.event)));
    await admin.caller.alerts.expire({ id: alert.id });
  });

  test('an alert that starts later is delivered at its start, not before, and a page opened before its start gets it too', async () => {
    const early = await subscribe({});
    const startsAt = new Date(Date.now() + 3000);
    const alert = await admin.caller.alerts.create({
      headline: 'Road closure at noon',
      body: 'The summit road closes for the race.',
      severity: 'warning',
      startsAt: startsAt.toISOString(),
      expiresAt: inHours(1).toISOString(),
    });
    assert.ok(!(await t.anonymous.alerts.active()).items.some((a) => a.id === alert.id), 'not in force before its start');
    const opened = await subscribe({});
    assert.ok(!opened.events.some((e) => isAlert(alert.id)(e.event)), 'not in the snapshot before its start');
    for (const page of [early, opened]) await page.waitFor(isAlert(alert.id), 30_000);
    assert.ok(Date.now() >= startsAt.getTime(), 'delivered no earlier than its start');

    // Ended before its start: never delivered.
    const cancelled = await admin.caller.alerts.create({
      headline: 'Fireworks',
      body: 'Not happening.',
      severity: 'info',
      startsAt: new Date(Date.now() + 1500).toISOString(),
      expiresAt: inHours(1).toISOString(),
    });
    await admin.caller.alerts.expire({ id: cancelled.id });
    await early.waitFor((event) => event.type === 'alert.ended' && event.alertId === cancelled.id);
    assert.ok(!t.origin.services.realtime.scheduledAlertIds.includes(cancelled.id));
  });
});
