import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';
import { readyContent, tickingClock } from '../../test-support/content-fixtures.ts';

const UNKNOWN_ID = '0190a000-0000-7000-8000-000000000000';

for (const kind of await testDatabaseKinds()) {
  describe(`comments (${kind})`, () => {
    let t: TestOrigin;
    let owner: TestUser;
    let ana: TestUser;
    let ben: TestUser;
    let admin: TestUser;
    let contentId: string;
    before(async () => {
      t = await startTestOrigin(kind, { now: tickingClock() });
      owner = await t.user('owner');
      ana = await t.user('ana', 'viewer');
      ben = await t.user('ben', 'viewer');
      admin = await t.user('mod', 'admin');
      contentId = await readyContent(t, owner, { title: 'Alps sunrise' });
    });
    after(() => t.close());

    const counters = (id = contentId) =>
      t.origin.services.prisma.content.findUniqueOrThrow({ where: { id }, select: { commentCount: true, popularity: true } });
    const comment = async (user: TestUser, body: string, parentId?: string, id = contentId) => {
      const response = await t.http('POST', `/api/content/${id}/comments`, { token: user.token, body: { body, ...(parentId ? { parentId } : {}) } });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return response.body as { id: string; parentId: string | null; body: string };
    };

    test('comments and replies form one-level threads; commentCount and popularity (3 each) follow', async () => {
      const top = await comment(ana, 'Stunning light');
      assert.equal(top.parentId, null);
      const reply = await comment(ben, 'Agreed!', top.id);
      assert.equal(reply.parentId, top.id);
      const replyToReply = await comment(ana, 'Thanks Ben', reply.id);
      assert.equal(replyToReply.parentId, top.id, 'a reply to a reply joins the top-level thread');
      await comment(ben, 'Second thread');
      assert.deepEqual(await counters(), { commentCount: 4, popularity: 12 });

      const list = await t.http('GET', `/api/content/${contentId}/comments`);
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.items.map((c: { body: string }) => c.body),
        ['Second thread', 'Stunning light'],
      );
      const thread = list.body.items[1];
      assert.equal(thread.replyCount, 2);
      assert.deepEqual(
        thread.replies.map((c: { body: string }) => c.body),
        ['Agreed!', 'Thanks Ben'],
      );
      assert.equal(thread.author.username, 'ana');
      assert.equal(thread.author.email, undefined);
      assert.equal(thread.author.passwordHash, undefined);
    });

    test('top-level comments and replies page with cursors; a forged cursor is a 400', async () => {
      const other = await readyContent(t, owner, { title: 'Paging' });
      const top = await comment(ana, 'c0', undefined, other);
      await comment(ana, 'c1', undefined, other);
      await comment(ana, 'c2', undefined, other);
      for (let i = 0; i < 3; i++) await comment(ben, `r${i}`, top.id, other);
      const first = await ana.caller.engagement.comments({ id: other, limit: 2 });
      assert.deepEqual(
        first.items.map((c) => c.body),
        ['c2', 'c1'],
      );
      assert.ok(first.nextCursor);
      const second = await ana.caller.engagement.comments({ id: other, limit: 2, cursor: first.nextCursor });
      assert.deepEqual(
        second.items.map((c) => c.body),
        ['c0'],
      );
      assert.equal(second.nextCursor, null);
      const replies1 = await t.http('GET', `/api/comments/${top.id}/replies?limit=2`);
      assert.equal(replies1.status, 200);
      assert.deepEqual(
        replies1.body.items.map((c: { body: string }) => c.body),
        ['r0', 'r1'],
      );
      const replies2 = await t.http('GET', `/api/comments/${top.id}/replies?limit=2&cursor=${replies1.body.nextCursor}`);
      assert.deepEqual(
        replies2.body.items.map((c: { body: string }) => c.body),
        ['r2'],
      );
      const forged = Buffer.from(JSON.stringify(['yesterday', UNKNOWN_ID])).toString('base64url');
      const bad = await t.http('GET', `/api/content/${other}/comments?cursor=${forged}`);
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /^cursor: /);
      assert.equal((await t.http('GET', `/api/content/${other}/comments?limit=0`)).status, 400);
    });

    test('bad comment input is a 400 naming the field', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{ body: '' }, /^body: /],
        [{ body: '   ' }, /^body: /],
        [{ body: 'x'.repeat(4001) }, /^body: /],
        [{ body: 42 }, /^body: /],
        [{}, /^body: /],
        [{ body: 'ok', parentId: 'nope' }, /^parentId: /],
      ];
      for (const [body, message] of cases) {
        const response = await t.http('POST', `/api/content/${contentId}/comments`, { token: ana.token, body });
        assert.equal(response.status, 400, JSON.stringify(body).slice(0, 60));
        assert.match(response.body.message, message);
        assert.doesNotMatch(JSON.stringify(response.body), /stack|at .*\.ts|prisma|SQL/i);
      }
    });

    test('the parent must be a comment on the same content; unknown ids are 404', async () => {
      const elsewhere = await readyContent(t, owner, { title: 'Elsewhere' });
      const foreign = await comment(ana, 'On another video', undefined, elsewhere);
      const wrong = await t.http('POST', `/api/content/${contentId}/comments`, { token: ben.token, body: { body: 'hi', parentId: foreign.id } });
      assert.equal(wrong.status, 400);
      assert.match(wrong.body.message, /^parentId: /);
      const unknownParent = await t.http('POST', `/api/content/${contentId}/comments`, { token: ben.token, body: { body: 'hi', parentId: UNKNOWN_ID } });
      assert.equal(unknownParent.status, 404);
      assert.equal((await t.http('POST', `/api/content/${UNKNOWN_ID}/comments`, { token: ben.token, body: { body: 'hi' } })).status, 404);
      assert.equal((await t.http('GET', `/api/content/${UNKNOWN_ID}/comments`)).status, 404);
      assert.equal((await t.http('PATCH', `/api/comments/${UNKNOWN_ID}`, { token: ben.token, body: { body: 'x' } })).status, 404);
      assert.equal((await t.http('DELETE', `/api/comments/${UNKNOWN_ID}`, { token: ben.token })).status, 404);
      assert.equal((await t.http('GET', `/api/comments/${UNKNOWN_ID}/replies`)).status, 404);
    });

    test('comments on private content are reachable by its owner only', async () => {
      const secret = await readyContent(t, owner, { title: 'Secret', visibility: 'private' });
      const own = await comment(owner, 'Note to self', undefined, secret);
      assert.equal((await t.http('GET', `/api/content/${secret}/comments`, { token: ana.token })).status, 404);
      assert.equal((await t.http('GET', `/api/content/${secret}/comments`)).status, 404);
      assert.equal((await t.http('POST', `/api/content/${secret}/comments`, { token: ana.token, body: { body: 'peek' } })).status, 404);
      assert.equal((await t.http('GET', `/api/comments/${own.id}/replies`, { token: ana.token })).status, 404);
      assert.equal((await t.http('GET', `/api/content/${secret}/comments`, { token: owner.token })).status, 200);
    });

    test('a comment on content made private after it was written can no longer be edited, deleted or read by others (404); its owner still moderates', async () => {
      const later = await readyContent(t, owner, { title: 'Later private' });
      const top = await comment(ana, 'Written while public', undefined, later);
      const reply = await comment(ben, 'A reply', top.id, later);
      const gone = await comment(ben, 'To be removed by the owner', undefined, later);
      await owner.caller.content.update({ id: later, visibility: 'private' });
      const edit = await t.http('PATCH', `/api/comments/${top.id}`, { token: ana.token, body: { body: 'Edited after' } });
      assert.equal(edit.status, 404, JSON.stringify(edit.body));
      assert.equal(edit.body.message, 'That comment was not found.');
      assert.equal(
        (await t.http('PATCH', `/api/comments/${top.id}`, { token: ben.token, body: { body: 'Hijack' } })).status,
        404,
        'no 403 that would reveal the comment',
      );
      assert.equal((await t.http('DELETE', `/api/comments/${reply.id}`, { token: ben.token })).status, 404);
      assert.equal((await t.http('GET', `/api/comments/${top.id}/replies`, { token: ana.token })).status, 404);
      assert.equal((await t.http('GET', `/api/content/${later}/comments`, { token: ana.token })).status, 404);
      const unchanged = await t.origin.services.prisma.comment.findMany({
        where: { contentId: later },
        select: { body: true, editedAt: true, deletedAt: true },
      });
      assert.equal(unchanged.length, 3);
      assert.ok(
        unchanged.every((row) => row.editedAt === null && row.deletedAt === null),
        'nothing was changed',
      );
      assert.equal((await t.http('DELETE', `/api/comments/${gone.id}`, { token: owner.token })).status, 200, 'the owner still sees and moderates');
      assert.equal((await counters(later)).commentCount, 2);
      await owner.caller.content.update({ id: later, visibility: 'public' });
      assert.equal((await t.http('PATCH', `/api/comments/${top.id}`, { token: ana.token, body: { body: 'Edited when public again' } })).status, 200);
    });

    test("only the author edits; another user's comment is 403", async () => {
      const mine = await comment(ana, 'Typo hree');
      const edited = await t.http('PATCH', `/api/comments/${mine.id}`, { token: ana.token, body: { body: 'Typo here' } });
      assert.equal(edited.status, 200);
      assert.equal(edited.body.body, 'Typo here');
      assert.ok(edited.body.editedAt);
      const hijack = await t.http('PATCH', `/api/comments/${mine.id}`, { token: ben.token, body: { body: 'Mine now' } });
      assert.equal(hijack.status, 403);
      assert.equal((await t.http('PATCH', `/api/comments/${mine.id}`, { token: owner.token, body: { body: 'Owner edit' } })).status, 403);
      assert.equal((await t.http('PATCH', `/api/comments/${mine.id}`, { token: ana.token, body: { body: 'x'.repeat(4001) } })).status, 400);
      assert.equal((await t.http('PATCH', `/api/comments/${mine.id}`, { body: { body: 'anon' } })).status, 401);
    });

    test('delete: by author, content owner or admin (others 403); a comment with replies stays as a placeholder', async () => {
      const video = await readyContent(t, owner, { title: 'Deletions' });
      const a = await comment(ana, 'by ana', undefined, video);
      const b = await comment(ben, 'by ben', undefined, video);
      const c = await comment(ben, 'by ben again', undefined, video);
      const parent = await comment(ana, 'has replies', undefined, video);
      const reply = await comment(ben, 'a reply', parent.id, video);
      assert.equal((await counters(video)).commentCount, 5);

      assert.equal((await t.http('DELETE', `/api/comments/${a.id}`, { token: ben.token })).status, 403);
      assert.equal((await t.http('DELETE', `/api/comments/${a.id}`, { token: ana.token })).status, 200);
      assert.equal((await t.http('DELETE', `/api/comments/${a.id}`, { token: ana.token })).status, 404, 'already gone');
      assert.equal((await t.http('DELETE', `/api/comments/${b.id}`, { token: owner.token })).status, 200, "the content's owner moderates");
      assert.equal((await t.http('DELETE', `/api/comments/${c.id}`, { token: admin.token })).status, 200, 'an admin moderates');
      assert.equal((await t.http('DELETE', `/api/comments/${parent.id}`, { token: ana.token })).status, 200);
      assert.deepEqual(await counters(video), { commentCount: 1, popularity: 3 });

      const threads = await ben.caller.engagement.comments({ id: video });
      assert.equal(threads.items.length, 1);
      const placeholder = threads.items[0]!;
      assert.equal(placeholder.id, parent.id);
      assert.equal(placeholder.deleted, true);
      assert.equal(placeholder.body, null);
      assert.equal(placeholder.author, null);
      assert.deepEqual(
        placeholder.replies.map((r) => r.body),
        ['a reply'],
      );
      const stored = await t.origin.services.prisma.comment.findUniqueOrThrow({ where: { id: parent.id }, select: { body: true } });
      assert.equal(stored.body, '', 'the text is erased, not just hidden');
      assert.equal((await t.http('PATCH', `/api/comments/${parent.id}`, { token: ana.token, body: { body: 'back' } })).status, 404);
      assert.equal((await t.http('POST', `/api/content/${video}/comments`, { token: ben.token, body: { body: 'late', parentId: parent.id } })).status, 404);

      assert.equal((await t.http('DELETE', `/api/comments/${reply.id}`, { token: ben.token })).status, 200);
      assert.deepEqual((await ben.caller.engagement.comments({ id: video })).items, [], 'the placeholder went with its last reply');
      assert.deepEqual(await counters(video), { commentCount: 0, popularity: 0 });
    });

    test('an expired token cannot comment', async () => {
      const late = await t.user('late', 'viewer');
      await t.origin.services.prisma.authSession.updateMany({ where: { userId: late.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const response = await t.http('POST', `/api/content/${contentId}/comments`, { token: late.token, body: { body: 'hello' } });
      assert.equal(response.status, 401);
      assert.equal(response.body.message, 'Your session has expired. Sign in again.');
    });
  });
}
