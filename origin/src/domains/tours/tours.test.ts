import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TRPCError } from '@trpc/server';
import type { TourSceneInput } from '@spherecast/shared';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

/** Three scenes: lobby → (door) → garden → (back) lobby, and garden → (stairs) → roof. */
function threeScenes(lobby: string, garden: string, roof: string): TourSceneInput[] {
  return [
    {
      id: 'lobby',
      contentId: lobby,
      title: 'Lobby',
      startYaw: 0,
      hotspots: [
        { id: 'door', label: 'To the garden', yaw: 90, pitch: 0, action: { kind: 'scene', targetSceneId: 'garden' } },
        { id: 'plaque', yaw: -30, pitch: 10, action: { kind: 'info', title: 'Built in 1755', text: 'Rebuilt after the earthquake.' } },
      ],
    },
    {
      id: 'garden',
      contentId: garden,
      title: 'Garden',
      narration: { text: 'The garden was planted in 1800.' },
      hotspots: [
        { id: 'back', yaw: -90, pitch: 0, action: { kind: 'scene', targetSceneId: 'lobby' } },
        { id: 'stairs', yaw: 45, pitch: 20, action: { kind: 'scene', targetSceneId: 'roof' } },
      ],
    },
    { id: 'roof', contentId: roof, title: 'Roof', hotspots: [{ id: 'voice', yaw: 0, pitch: -10, action: { kind: 'narration', text: 'The river below.' } }] },
  ];
}

async function refusalOf(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TRPCError, String(error));
    return error;
  }
  assert.fail('expected the call to be refused');
}

for (const kind of await testDatabaseKinds()) {
  describe(`tours (${kind})`, () => {
    let t: TestOrigin;
    let owner: TestUser;
    let other: TestUser;
    let admin: TestUser;
    let viewer: TestUser;
    let lobby: string;
    let garden: string;
    let roof: string;
    before(async () => {
      t = await startTestOrigin(kind);
      owner = await t.user('guide');
      other = await t.user('stranger');
      admin = await t.user('boss', 'admin');
      viewer = await t.user('tourist', 'viewer');
      [lobby, garden, roof] = await Promise.all([
        readyContent(t, owner, { title: 'Lobby 360' }),
        readyContent(t, owner, { title: 'Garden 360', visibility: 'unlisted' }),
        readyContent(t, owner, { title: 'Roof photo', kind: 'photo' }),
      ]);
    });
    after(() => t.close());

    test('a creator creates a draft over REST; it is theirs alone until published, then anyone sees it', async () => {
      const created = await t.http('POST', '/api/tours', {
        token: owner.token,
        body: { title: ' Old town ', mode: 'free', scenes: threeScenes(lobby, garden, roof) },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.title, 'Old town');
      assert.equal(created.body.status, 'draft');
      assert.equal(created.body.visibility, 'public');
      assert.equal(created.body.scenes.length, 3);
      assert.deepEqual(
        created.body.scenes.map((scene: { content: { title: string } | null }) => scene.content?.title),
        ['Lobby 360', 'Garden 360', 'Roof photo'],
      );
      assert.equal(created.body.scenes[1].hotspots[1].action.targetSceneId, 'roof');
      const id = created.body.id as string;

      assert.equal((await t.http('GET', `/api/tours/${id}`)).status, 404, 'a draft is not shown to visitors');
      assert.equal((await t.http('GET', `/api/tours/${id}`, { token: other.token })).status, 404);
      assert.equal((await t.http('GET', `/api/tours/${id}`, { token: admin.token })).status, 200);
      assert.ok(!(await t.anonymous.tours.list({})).items.some((tour) => tour.id === id));
      assert.ok(
        (await owner.caller.tours.list({ ownerId: owner.id })).items.some((tour) => tour.id === id),
        'the owner lists their drafts',
      );

      const published = await t.http('POST', `/api/tours/${id}/publish`, { token: owner.token, body: {} });
      assert.equal(published.status, 200, JSON.stringify(published.body));
      assert.equal(published.body.status, 'published');
      assert.ok(published.body.publishedAt);

      const seen = await t.http('GET', `/api/tours/${id}`);
      assert.equal(seen.status, 200);
      assert.equal(seen.body.scenes[0].hotspots[0].yaw, 90);
      assert.ok(seen.body.posterUrl === null || typeof seen.body.posterUrl === 'string');
      const listed = (await t.anonymous.tours.list({})).items.find((tour) => tour.id === id);
      assert.equal(listed?.sceneCount, 3);
      assert.ok((await other.caller.tours.list({ ownerId: owner.id })).items.some((tour) => tour.id === id));
    });

    test('a viewer account cannot create a tour, and only the owner or an admin may change, publish or delete one', async () => {
      assert.equal((await t.http('POST', '/api/tours', { token: viewer.token, body: { title: 'Nope' } })).status, 403);
      const tour = await owner.caller.tours.create({ title: 'Mine', scenes: threeScenes(lobby, garden, roof) });
      await owner.caller.tours.publish({ id: tour.id });
      assert.equal((await t.http('PATCH', `/api/tours/${tour.id}`, { token: other.token, body: { title: 'Stolen' } })).status, 403);
      assert.equal((await t.http('POST', `/api/tours/${tour.id}/publish`, { token: other.token, body: {} })).status, 403);
      assert.equal((await t.http('DELETE', `/api/tours/${tour.id}`, { token: other.token })).status, 403);
      assert.equal((await t.http('PATCH', `/api/tours/${tour.id}`, { body: { title: 'Anonymous' } })).status, 401);
      const byAdmin = await t.http('PATCH', `/api/tours/${tour.id}`, { token: admin.token, body: { title: 'Fixed by admin' } });
      assert.equal(byAdmin.status, 200);
      assert.equal((await t.anonymous.tours.get({ id: tour.id })).title, 'Fixed by admin');
      assert.equal((await t.http('DELETE', `/api/tours/${tour.id}`, { token: owner.token })).status, 200);
      assert.equal((await t.http('GET', `/api/tours/${tour.id}`)).status, 404);
    });

    test('a private tour stays private once published: 404 for others, absent from lists', async () => {
      const privateContent = await readyContent(t, owner, { title: 'My secret room', visibility: 'private' });
      const tour = await owner.caller.tours.create({
        title: 'Just me',
        visibility: 'private',
        scenes: [{ id: 'room', contentId: privateContent, title: 'Room' }],
      });
      const published = await owner.caller.tours.publish({ id: tour.id });
      assert.equal(published.status, 'published');
      assert.equal(published.scenes[0]?.content?.title, 'My secret room');
      assert.equal((await t.http('GET', `/api/tours/${tour.id}`)).status, 404);
      assert.equal((await t.http('GET', `/api/tours/${tour.id}`, { token: other.token })).status, 404);
      assert.ok(!(await other.caller.tours.list({ ownerId: owner.id })).items.some((item) => item.id === tour.id));
      assert.ok(!(await t.anonymous.tours.list({})).items.some((item) => item.id === tour.id));
    });

    test('publish refuses a hotspot whose target scene shows content that no longer exists, naming the hotspot', async () => {
      const doomed = await readyContent(t, owner, { title: 'To be deleted' });
      const tour = await owner.caller.tours.create({ title: 'Broken link', scenes: threeScenes(lobby, doomed, roof) });
      await owner.caller.content.delete({ id: doomed });
      const response = await t.http('POST', `/api/tours/${tour.id}/publish`, { token: owner.token, body: {} });
      assert.equal(response.status, 400);
      assert.match(
        response.body.message,
        /hotspot "door" \(To the garden\) in scene "lobby" leads to scene "garden" \(Garden\) shows content [0-9a-f-]+, which does not exist/,
      );
      // tRPC clients (the studio) also get one issue per problem, with the path to the hotspot.
      const error = await refusalOf(owner.caller.tours.publish({ id: tour.id }));
      assert.equal(error.code, 'BAD_REQUEST');
      const issues = (error.cause as unknown as { issues: { path: (string | number)[]; message: string }[] }).issues;
      assert.deepEqual(
        issues.map((issue) => issue.path.join('.')),
        ['scenes.0.hotspots.0.action.targetSceneId'],
      );
      assert.equal((await owner.caller.tours.get({ id: tour.id })).status, 'draft', 'nothing was published');
    });

    test('publish refuses a hotspot leading to a scene that is not in the tour', async () => {
      const scenes = threeScenes(lobby, garden, roof);
      scenes[2]!.hotspots = [{ id: 'lost', yaw: 0, pitch: 0, action: { kind: 'scene', targetSceneId: 'cellar' } }];
      const tour = await owner.caller.tours.create({ title: 'Unknown scene', scenes });
      const error = await refusalOf(owner.caller.tours.publish({ id: tour.id }));
      assert.match(error.message, /hotspot "lost" in scene "roof" \(Roof\) leads to scene "cellar", which is not in the tour/);
    });

    test('a public tour cannot point at private content; the same scenes publish as a private tour', async () => {
      const secret = await readyContent(t, owner, { title: 'Backstage', visibility: 'private' });
      const tour = await owner.caller.tours.create({ title: 'Leaky', visibility: 'public', scenes: threeScenes(lobby, garden, secret) });
      const response = await t.http('POST', `/api/tours/${tour.id}/publish`, { token: owner.token, body: {} });
      assert.equal(response.status, 400);
      assert.match(
        response.body.message,
        /hotspot "stairs" in scene "garden" leads to scene "roof" \(Roof\) shows “Backstage”, which is private while the tour is public/,
      );
      const unlisted = await t.http('PATCH', `/api/tours/${tour.id}`, { token: owner.token, body: { visibility: 'unlisted' } });
      assert.equal(unlisted.status, 200);
      assert.equal(
        (await t.http('POST', `/api/tours/${tour.id}/publish`, { token: owner.token, body: {} })).status,
        400,
        'unlisted tours are open to anyone with the link too',
      );
      await owner.caller.tours.update({ id: tour.id, visibility: 'private' });
      assert.equal((await owner.caller.tours.publish({ id: tour.id })).status, 'published');
      // Published and private: making it public now is the same refusal, and nothing changes.
      const toPublic = await t.http('PATCH', `/api/tours/${tour.id}`, { token: owner.token, body: { visibility: 'public' } });
      assert.equal(toPublic.status, 400);
      assert.match(toPublic.body.message, /hotspot "stairs"/);
      assert.equal((await owner.caller.tours.get({ id: tour.id })).visibility, 'private');
    });

    test("another creator's private content reads as missing (the tour does not reveal it), even in a private tour", async () => {
      const theirs = await readyContent(t, other, { title: 'Not yours', visibility: 'private' });
      const tour = await owner.caller.tours.create({ title: 'Borrowing', visibility: 'private', scenes: [{ id: 'start', contentId: theirs, title: 'Start' }] });
      const error = await refusalOf(owner.caller.tours.publish({ id: tour.id }));
      assert.match(error.message, /scene "start" \(Start\) shows content [0-9a-f-]+, which does not exist/);
      assert.doesNotMatch(error.message, /Not yours/);
      const theirsPublic = await readyContent(t, other, { title: 'Shared square' });
      await owner.caller.tours.update({ id: tour.id, visibility: 'public', scenes: [{ id: 'start', contentId: theirsPublic, title: 'Start' }] });
      assert.equal((await owner.caller.tours.publish({ id: tour.id })).status, 'published', "another creator's public content is fine");
    });

    test('publish refuses content not published yet, naming the scene', async () => {
      const draft = await readyContent(t, owner, { title: 'Still processing', status: 'processing' });
      const tour = await owner.caller.tours.create({ title: 'Too soon', scenes: [{ id: 'first', contentId: draft, title: 'First' }] });
      const error = await refusalOf(owner.caller.tours.publish({ id: tour.id }));
      assert.match(error.message, /scene "first" \(First\) shows “Still processing”, which is not published yet \(processing\)/);
    });

    test('publish refuses an orphan scene in a free tour; a guided tour reaches it by order', async () => {
      const scenes = threeScenes(lobby, garden, roof);
      scenes[1]!.hotspots = scenes[1]!.hotspots!.filter((hotspot) => hotspot.id !== 'stairs');
      const tour = await owner.caller.tours.create({ title: 'Island', mode: 'free', scenes });
      const response = await t.http('POST', `/api/tours/${tour.id}/publish`, { token: owner.token, body: {} });
      assert.equal(response.status, 400);
      assert.match(response.body.message, /Scene "roof" \(Roof\) cannot be reached from the first scene/);
      await owner.caller.tours.update({ id: tour.id, mode: 'guided' });
      assert.equal((await owner.caller.tours.publish({ id: tour.id })).status, 'published');
    });

    test('publish refuses a hotspot outside the sphere, naming it; every problem is listed', async () => {
      const scenes = threeScenes(lobby, garden, roof);
      scenes[0]!.hotspots![1] = { ...scenes[0]!.hotspots![1]!, yaw: 200 };
      scenes[2]!.hotspots![0] = { ...scenes[2]!.hotspots![0]!, pitch: -95 };
      const tour = await owner.caller.tours.create({ title: 'Out of range', scenes });
      const response = await t.http('POST', `/api/tours/${tour.id}/publish`, { token: owner.token, body: {} });
      assert.equal(response.status, 400);
      assert.match(response.body.message, /hotspot "plaque" in scene "lobby" \(Lobby\) points outside the sphere \(yaw 200, pitch 10\)/);
      assert.match(response.body.message, /hotspot "voice" in scene "roof" \(Roof\) points outside the sphere \(yaw 0, pitch -95\)/);
      const error = await refusalOf(owner.caller.tours.publish({ id: tour.id }));
      const paths = (error.cause as unknown as { issues: { path: (string | number)[] }[] }).issues.map((issue) => issue.path.join('.'));
      assert.deepEqual(paths, ['scenes.0.hotspots.1.yaw', 'scenes.2.hotspots.0.pitch']);
    });

    test('bad tour input is a 400 naming the field, and nothing is stored', async () => {
      const before = await t.origin.services.prisma.tour.count();
      const scene = { id: 'a', contentId: lobby, title: 'A' };
      const cases: Array<[unknown, RegExp]> = [
        [{ title: '' }, /^title: /],
        [{ title: 'ok', mode: 'tour' }, /^mode: /],
        [{ title: 'ok', scenes: [{ ...scene, contentId: 'nope' }] }, /^scenes\.0\.contentId: /],
        [{ title: 'ok', scenes: [scene, scene] }, /^scenes\.1\.id: scene id "a" is used twice/],
        [
          { title: 'ok', scenes: [{ ...scene, hotspots: [{ id: 'h', yaw: 'north', pitch: 0, action: { kind: 'scene', targetSceneId: 'a' } }] }] },
          /^scenes\.0\.hotspots\.0\.yaw: /,
        ],
        [
          { title: 'ok', scenes: [{ ...scene, hotspots: [{ id: 'h', yaw: 0, pitch: 0, action: { kind: 'teleport' } }] }] },
          /^scenes\.0\.hotspots\.0\.action\.kind: /,
        ],
        [{ title: 'ok', scenes: [{ ...scene, id: 'has space' }] }, /^scenes\.0\.id: /],
        [{ title: 'ok', scenes: [{ ...scene, narration: {} }] }, /^scenes\.0\.narration: narration needs an audioUrl or a text/],
        [
          {
            title: 'ok',
            scenes: [{ ...scene, hotspots: [{ id: 'i', yaw: 0, pitch: 0, action: { kind: 'info', title: 'x', imageUrl: 'javascript:alert(1)' } }] }],
          },
          /imageUrl: /,
        ],
        [{ title: 'ok', destinationId: '00000000-0000-4000-8000-000000000000' }, /^destinationId: that destination does not exist/],
      ];
      for (const [body, message] of cases) {
        const response = await t.http('POST', '/api/tours', { token: owner.token, body });
        assert.equal(response.status, 400, JSON.stringify(body).slice(0, 80));
        assert.match(response.body.message, message);
      }
      assert.equal(await t.origin.services.prisma.tour.count(), before);
    });

    test('the OpenAPI document describes the tour routes', async () => {
      const doc = await t.http('GET', '/openapi.json');
      assert.equal(doc.status, 200);
      assert.ok(doc.body.paths['/tours'].get && doc.body.paths['/tours'].post);
      assert.ok(doc.body.paths['/tours/{id}'].get && doc.body.paths['/tours/{id}'].patch && doc.body.paths['/tours/{id}'].delete);
      assert.ok(doc.body.paths['/tours/{id}/publish'].post);
    });

    test('scene content the caller may no longer see is shown as null, not leaked', async () => {
      const later = await readyContent(t, owner, { title: 'Soon private' });
      const tour = await owner.caller.tours.create({ title: 'Changes', scenes: [{ id: 'only', contentId: later, title: 'Only' }] });
      await owner.caller.tours.publish({ id: tour.id });
      await owner.caller.content.update({ id: later, visibility: 'private' });
      const seen = await t.anonymous.tours.get({ id: tour.id });
      assert.equal(seen.scenes[0]?.content, null);
      assert.equal((await owner.caller.tours.get({ id: tour.id })).scenes[0]?.content?.title, 'Soon private');
    });
  });
}
