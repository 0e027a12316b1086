import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readyContent, tickingClock } from '../../test-support/content-fixtures.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

const LISBON = { name: 'Lisbon', country: 'Portugal', latitude: 38.7223, longitude: -9.1393, radiusKm: 20, tags: ['rooftops', 'city'] };
const UNKNOWN_ID = '0190a000-0000-7000-8000-000000000000';

for (const kind of await testDatabaseKinds()) {
  describe(`destinations (${kind})`, () => {
    let t: TestOrigin;
    let maker: TestUser;
    let rival: TestUser;
    let viewer: TestUser;
    const ids: Record<string, string> = {};
    let lisbon: string;
    before(async () => {
      t = await startTestOrigin(kind, { now: tickingClock() });
      maker = await t.user('maker');
      rival = await t.user('rival');
      viewer = await t.user('viewer', 'viewer');
      const at = (placeName: string, latitude: number, longitude: number) => ({ placeName, latitude, longitude });
      ids.alfama = await readyContent(t, maker, { title: 'Alfama at dawn', location: at('Alfama', 38.7115, -9.13) }); // ~1.4 km
      ids.belem = await readyContent(t, maker, { title: 'Belém tower', location: at('Belém', 38.6916, -9.216) }); // ~7.4 km
      ids.sintra = await readyContent(t, maker, { title: 'Sintra palace', location: at('Sintra', 38.7976, -9.3906) }); // ~23 km: outside
      ids.hidden = await readyContent(t, maker, { title: 'Private rooftop', visibility: 'private', location: at('Chiado', 38.7107, -9.1426) });
      ids.draft = await readyContent(t, maker, { title: 'Draft tram', status: 'draft', location: at('Baixa', 38.711, -9.137) });
      ids.drone = await readyContent(t, maker, { title: 'Drone over the Tagus' }); // no location: only by link
      ids.rivals = await readyContent(t, rival, { title: 'Rival clip' });
      await t.origin.services.prisma.content.update({ where: { id: ids.alfama }, data: { posterFile: 'poster.jpg' } });
      await t.origin.services.prisma.content.update({ where: { id: ids.hidden }, data: { posterFile: 'poster.jpg' } });
      // A live broadcast in Lisbon is listed with status live.
      ids.live = await readyContent(t, maker, { title: 'Live from Rossio', location: at('Rossio', 38.7139, -9.1394) });
      await t.origin.services.prisma.content.update({ where: { id: ids.live }, data: { kind: 'live', status: 'live' } });
    });
    after(() => t.close());

    test('a creator creates a destination; the input is validated and the errors say what to fix', async () => {
      const created = await t.http('POST', '/api/destinations', { token: maker.token, body: { ...LISBON, coverContentId: ids.alfama } });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      lisbon = created.body.id;
      assert.equal(created.body.name, 'Lisbon');
      assert.equal(created.body.coverUrl, `${t.url}/media/${ids.alfama}/p1/poster.jpg`);
      assert.equal(created.body.editable, true);
      assert.equal(created.body.createdBy.email, undefined);

      const bad = await t.http('POST', '/api/destinations', { token: maker.token, body: { ...LISBON, latitude: 91 } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /^latitude: /);
      const noName = await t.http('POST', '/api/destinations', { token: maker.token, body: { ...LISBON, name: '  ' } });
      assert.equal(noName.status, 400);
      assert.match(noName.body.message, /^name: /);
      const privateCover = await t.http('POST', '/api/destinations', { token: maker.token, body: { ...LISBON, coverContentId: ids.hidden } });
      assert.equal(privateCover.status, 400);
      assert.match(privateCover.body.message, /^coverContentId: .*Choose a public video or photo/);
      const noPoster = await t.http('POST', '/api/destinations', { token: maker.token, body: { ...LISBON, coverContentId: ids.belem } });
      assert.equal(noPoster.status, 400);
      assert.match(noPoster.body.message, /no poster/);
      const asViewer = await t.http('POST', '/api/destinations', { token: viewer.token, body: LISBON });
      assert.equal(asViewer.status, 403);
      const anonymous = await t.http('POST', '/api/destinations', { body: LISBON });
      assert.equal(anonymous.status, 401);
    });

    test('its page lists linked content first, then public content within the radius by distance; nothing private, unfinished or too far', async () => {
      const link = await t.http('PUT', `/api/destinations/${lisbon}/content/${ids.drone}`, { token: maker.token, body: {} });
      assert.equal(link.status, 200, JSON.stringify(link.body));
      // Linking twice changes nothing; linking someone else's content is refused.
      assert.equal((await t.http('PUT', `/api/destinations/${lisbon}/content/${ids.drone}`, { token: maker.token, body: {} })).status, 200);
      assert.equal((await t.http('PUT', `/api/destinations/${lisbon}/content/${ids.rivals}`, { token: maker.token, body: {} })).status, 403);
      assert.equal((await t.http('PUT', `/api/destinations/${UNKNOWN_ID}/content/${ids.drone}`, { token: maker.token, body: {} })).status, 404);

      const page = await t.http('GET', `/api/destinations/${lisbon}`);
      assert.equal(page.status, 200);
      const rows = page.body.content.map((item: { title: string; linked: boolean; distanceKm: number | null; status: string }) => [
        item.title,
        item.linked,
        item.distanceKm === null ? null : Math.round(item.distanceKm),
        item.status,
      ]);
      assert.deepEqual(rows, [
        ['Drone over the Tagus', true, null, 'ready'],
        ['Live from Rossio', false, 1, 'live'],
        ['Alfama at dawn', false, 1, 'ready'],
        ['Belém tower', false, 7, 'ready'],
      ]);
      assert.equal(page.body.editable, false);

      const of = await t.http('GET', `/api/content/${ids.belem}/destinations`);
      assert.deepEqual(
        of.body.items.map((item: { name: string }) => item.name),
        ['Lisbon'],
      );
      assert.deepEqual((await t.http('GET', `/api/content/${ids.sintra}/destinations`)).body.items, []);

      // Unlinking: the destination's creator may curate; the content leaves the page.
      assert.equal((await t.http('DELETE', `/api/destinations/${lisbon}/content/${ids.drone}`, { token: maker.token, body: {} })).status, 200);
      const after = await maker.caller.destinations.get({ id: lisbon });
      assert.ok(!after.content.some((item) => item.title === 'Drone over the Tagus'));
      await maker.caller.destinations.link({ id: lisbon, contentId: ids.drone! });
    });

    test('the published, public tours set at the destination are listed; drafts and private tours are not', async () => {
      const prisma = t.origin.services.prisma;
      const tour = (title: string, data: { status: 'draft' | 'published'; visibility: 'public' | 'private' }) =>
        prisma.tour.create({ data: { ownerId: maker.id, title, destinationId: lisbon, publishedAt: new Date(), ...data }, select: { id: true } });
      const walk = await tour('Alfama walk', { status: 'published', visibility: 'public' });
      await tour('Draft walk', { status: 'draft', visibility: 'public' });
      await tour('Private walk', { status: 'published', visibility: 'private' });
      const page = await t.http('GET', `/api/destinations/${lisbon}`);
      assert.deepEqual(
        page.body.tours.map((item: { id: string; title: string; mode: string }) => [item.id, item.title, item.mode]),
        [[walk.id, 'Alfama walk', 'free']],
      );
    });

    test('a cover whose content is made private disappears; only its creator (or an admin) may change a destination', async () => {
      await t.origin.services.prisma.content.update({ where: { id: ids.alfama }, data: { visibility: 'private' } });
      assert.equal((await viewer.caller.destinations.get({ id: lisbon })).coverUrl, null);
      await t.origin.services.prisma.content.update({ where: { id: ids.alfama }, data: { visibility: 'public' } });
      const forbidden = await t.http('PATCH', `/api/destinations/${lisbon}`, { token: rival.token, body: { name: 'Mine' } });
      assert.equal(forbidden.status, 403);
      const renamed = await t.http('PATCH', `/api/destinations/${lisbon}`, { token: maker.token, body: { description: 'Seven hills by the Tagus.' } });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.description, 'Seven hills by the Tagus.');
    });

    test('search finds destinations by name prefix, tag, country and distance', async () => {
      const porto = await maker.caller.destinations.create({ name: 'Porto', country: 'Portugal', latitude: 41.1579, longitude: -8.6291, tags: ['wine'] });
      const byPrefix = await t.http('GET', '/api/destinations?q=lisb');
      assert.deepEqual(
        byPrefix.body.items.map((item: { name: string }) => item.name),
        ['Lisbon'],
      );
      const byTag = await t.http('GET', '/api/destinations?q=rooftops');
      assert.deepEqual(
        byTag.body.items.map((item: { name: string }) => item.name),
        ['Lisbon'],
      );
      const byCountry = await t.http('GET', '/api/destinations?q=portugal');
      assert.deepEqual(byCountry.body.items.map((item: { name: string }) => item.name).sort(), ['Lisbon', 'Porto']);
      const near = await t.http('GET', '/api/destinations?near=41.15,-8.61&radiusKm=50');
      assert.deepEqual(
        near.body.items.map((item: { name: string }) => item.name),
        ['Porto'],
      );
      assert.ok(near.body.items[0].distanceKm < 3);
      const nearest = await t.http('GET', '/api/destinations?near=38.7,-9.1');
      assert.deepEqual(
        nearest.body.items.map((item: { name: string }) => item.name),
        ['Lisbon', 'Porto'],
      );
      const wildcard = await t.http('GET', `/api/destinations?q=${encodeURIComponent('%_')}`);
      assert.deepEqual(wildcard.body.items, [], 'LIKE wildcards in the query are taken literally');
      const bad = await t.http('GET', '/api/destinations?radiusKm=5');
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /radiusKm needs near/);
      await maker.caller.destinations.delete({ id: porto.id });
      assert.equal((await t.http('GET', `/api/destinations/${porto.id}`)).status, 404);
    });

    test('ratings: one per viewer, exact count and average', async () => {
      const first = await t.http('PUT', `/api/destinations/${lisbon}/rating`, { token: viewer.token, body: { score: 5 } });
      assert.deepEqual(first.body, { myRating: 5, ratingCount: 1, ratingAverage: 5 });
      await rival.caller.destinations.rate({ id: lisbon, score: 2 });
      const changed = await viewer.caller.destinations.rate({ id: lisbon, score: 4 });
      assert.deepEqual(changed, { myRating: 4, ratingCount: 2, ratingAverage: 3 });
      assert.equal((await t.http('PUT', `/api/destinations/${lisbon}/rating`, { token: viewer.token, body: { score: 6 } })).status, 400);
      assert.equal((await t.http('PUT', `/api/destinations/${UNKNOWN_ID}/rating`, { token: viewer.token, body: { score: 3 } })).status, 404);
      const removed = await rival.caller.destinations.unrate({ id: lisbon });
      assert.deepEqual(removed, { myRating: null, ratingCount: 1, ratingAverage: 4 });
      assert.deepEqual(await rival.caller.destinations.unrate({ id: lisbon }), removed, 'idempotent');
      assert.equal((await viewer.caller.destinations.get({ id: lisbon })).myRating, 4);
    });

    test('comments: threads one level deep, a deleted comment with replies keeps its place, the count follows', async () => {
      const top = await viewer.caller.destinations.addComment({ id: lisbon, body: 'Go at sunset.' });
      const reply = await rival.caller.destinations.addComment({ id: lisbon, body: 'Agreed', parentId: top.id });
      const nested = await viewer.caller.destinations.addComment({ id: lisbon, body: 'Miradouro!', parentId: reply.id });
      assert.equal(nested.parentId, top.id, 'a reply to a reply joins the thread');
      const blank = await t.http('POST', `/api/destinations/${lisbon}/comments`, { token: viewer.token, body: { body: '   ' } });
      assert.equal(blank.status, 400);
      assert.match(blank.body.message, /^body: /);
      assert.equal((await t.http('DELETE', `/api/destination-comments/${top.id}`, { token: rival.token })).status, 403);
      assert.equal((await t.http('DELETE', `/api/destination-comments/${top.id}`, { token: viewer.token })).status, 200);
      const page = await t.http('GET', `/api/destinations/${lisbon}/comments`);
      assert.equal(page.status, 200);
      assert.equal(page.body.items.length, 1);
      assert.equal(page.body.items[0].deleted, true);
      assert.equal(page.body.items[0].body, null);
      assert.equal(page.body.items[0].replyCount, 2);
      assert.deepEqual(
        page.body.items[0].replies.map((item: { body: string }) => item.body),
        ['Agreed', 'Miradouro!'],
      );
      assert.equal((await viewer.caller.destinations.get({ id: lisbon })).commentCount, 2);
      // The destination's creator may remove comments on it.
      await maker.caller.destinations.deleteComment({ id: reply.id });
      await viewer.caller.destinations.deleteComment({ id: nested.id });
      const empty = await viewer.caller.destinations.comments({ id: lisbon, limit: 20 });
      assert.deepEqual(empty.items, [], 'the placeholder goes with its last reply');
      assert.equal((await viewer.caller.destinations.get({ id: lisbon })).commentCount, 0);
    });

    test('interests: a short list of tags on the profile, validated', async () => {
      const set = await t.http('PUT', '/api/me/interests', { token: viewer.token, body: { interests: ['Rooftops', 'surfing', 'rooftops'] } });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.deepEqual(set.body, { interests: ['rooftops', 'surfing'] });
      assert.deepEqual((await t.http('GET', '/api/me/interests', { token: viewer.token })).body, { interests: ['rooftops', 'surfing'] });
      const tooMany = await t.http('PUT', '/api/me/interests', { token: viewer.token, body: { interests: Array.from({ length: 11 }, (_, i) => `tag${i}`) } });
      assert.equal(tooMany.status, 400);
      assert.match(tooMany.body.message, /^interests: /);
      assert.equal((await t.http('GET', '/api/me/interests')).status, 401);
    });
  });
}
