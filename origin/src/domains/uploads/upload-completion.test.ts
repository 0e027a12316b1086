import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateEquirectFixture } from '@spherecast/shared/media';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { openUpload, uploadState, waitForUpload } from '../../test-support/web-upload.ts';

/** A raw tus PATCH of `bytes` at `offset` (what any tus client sends). */
async function patch(url: string, token: string, offset: number, bytes: Buffer): Promise<number> {
  const answer = await fetch(url, {
    method: 'PATCH',
    headers: {
      authorization: `Bearer ${token}`,
      'tus-resumable': '1.0.0',
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
    },
    body: new Uint8Array(bytes),
  });
  await answer.arrayBuffer();
  return answer.status;
}

const KIB = 1024;
const QUOTA = 1024 * KIB;

for (const kind of await testDatabaseKinds()) {
  describe(`web uploads when their bytes are all in: duplicates and the storage quota (${kind})`, () => {
    let t: TestOrigin;
    let creator: TestUser;
    let workDir: string;
    let clip: Buffer;

    before(async () => {
      t = await startTestOrigin(kind, { storageQuotaBytes: QUOTA, processing: { transcode: { preset: 'ultrafast', segmentSeconds: 1, eyeWidths: [256] } } });
      creator = await t.user('twin-uploader');
      workDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-dup-race-'));
      const file = path.join(workDir, 'twin.mp4');
      await generateEquirectFixture({ out: file, seconds: 1, width: 256, fps: 24, interp: 'linear', videoPreset: 'ultrafast' });
      clip = await readFile(file);
    });
    after(async () => {
      await t?.close();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    test('two uploads of the same bytes by one creator, opened and finished together, are processed once', async () => {
      const first = await creator.caller.content.create({ title: 'Twin A' });
      const second = await creator.caller.content.create({ title: 'Twin B' });
      const a = await openUpload(t, creator, first.id, 'twin-a.mp4', clip.length);
      const b = await openUpload(t, creator, second.id, 'twin-b.mp4', clip.length);
      // Opened at the same moment (two tabs, or two origins): neither is "the earlier one".
      const { prisma } = t.origin.services;
      await prisma.sourceUpload.updateMany({ where: { id: { in: [a.uploadId, b.uploadId] } }, data: { createdAt: new Date() } });
      const last = clip.length - 1;
      assert.equal(await patch(a.uploadUrl, creator.token, 0, clip.subarray(0, last)), 204);
      assert.equal(await patch(b.uploadUrl, creator.token, 0, clip.subarray(0, last)), 204);
      // The last byte of both at once: both completions hash the same bytes concurrently.
      assert.deepEqual(
        await Promise.all([patch(a.uploadUrl, creator.token, last, clip.subarray(last)), patch(b.uploadUrl, creator.token, last, clip.subarray(last))]),
        [204, 204],
      );

      const settled = (id: string) => waitForUpload(t, creator, id, (s) => s.status === 'ready' || s.status === 'failed');
      const [stateA, stateB] = await Promise.all([settled(a.uploadId), settled(b.uploadId)]);
      assert.equal(stateA.status, 'ready', stateA.error ?? '');
      assert.equal(stateB.status, 'ready', stateB.error ?? '');
      const rows = await prisma.sourceUpload.findMany({
        where: { id: { in: [a.uploadId, b.uploadId] } },
        select: { id: true, duplicateOfId: true, attempts: true },
      });
      const duplicates = rows.filter((row) => row.duplicateOfId !== null);
      assert.equal(duplicates.length, 1, `exactly one is recognised as the other's duplicate: ${JSON.stringify(rows)}`);
      const original = rows.find((row) => row.duplicateOfId === null);
      assert.equal(duplicates[0]?.duplicateOfId, original?.id);
      assert.equal(duplicates[0]?.attempts, 0, 'the duplicate was never processed');
      assert.equal(original?.attempts, 1, 'the original was processed once');
    });
    test('an upload larger than what is left of the storage quota is refused before any byte is sent; admins have no quota', async () => {
      const user = await t.user('quota-before');
      const content = await user.caller.content.create({ title: 'Quota' });
      // An upload being sent holds its declared size.
      await openUpload(t, user, content.id, 'first.mp4', 700 * KIB);
      const other = await user.caller.content.create({ title: 'Quota 2' });
      const refused = await t.http('POST', '/api/uploads', { token: user.token, body: { contentId: other.id, fileName: 'second.mp4', size: 400 * KIB } });
      assert.equal(refused.status, 413, JSON.stringify(refused.body));
      assert.match(
        refused.body.message,
        /^Storage quota exceeded: this account stores 717 kB of its 1\.0 MB, and this file is 410 kB \(332 kB left\)\. Delete content you no longer need, or ask the operator to raise STORAGE_QUOTA_MB\.$/,
      );
      // The same through a tus POST (any tus client): refused with the same sentence.
      const tus = await fetch(`${t.url}/tus`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${user.token}`,
          'tus-resumable': '1.0.0',
          'upload-length': String(400 * KIB),
          'upload-metadata': `contentId ${Buffer.from(other.id).toString('base64')},filename ${Buffer.from('second.mp4').toString('base64')}`,
        },
      });
      assert.equal(tus.status, 413);
      assert.match(await tus.text(), /Storage quota exceeded/);
      // What fits the remainder is accepted.
      await openUpload(t, user, other.id, 'smaller.mp4', 300 * KIB);

      const admin = await t.user('quota-admin', 'admin');
      const big = await admin.caller.content.create({ title: 'Admin upload' });
      await openUpload(t, admin, big.id, 'big.mp4', 2 * QUOTA);
    });

    test('an upload that no longer fits when it completes (media stored meanwhile) fails with the reason and leaves nothing behind', async () => {
      const user = await t.user('quota-after');
      const content = await user.caller.content.create({ title: 'Raw upload' });
      const bytes = randomBytes(600 * KIB);
      const created = await openUpload(t, user, content.id, 'late.mp4', bytes.length);
      // Meanwhile the studio publishes-to-be 500 KiB of ladder files into another content.
      const ladder = await user.caller.content.create({ title: 'Studio ladder' });
      const put = await fetch(`${t.url}/media/${ladder.id}/master.m3u8`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${user.token}` },
        body: Buffer.alloc(500 * KIB, 35),
      });
      assert.equal(put.status, 201, await put.text());
      assert.equal(await patch(created.uploadUrl, user.token, 0, bytes), 204);
      const state = await uploadState(t, user, created.uploadId);
      assert.equal(state.status, 'failed');
      assert.match(state.error ?? '', /^Storage quota exceeded: this account stores 512 kB of its 1\.0 MB, and this file is 614 kB/);
      const left = await readdir(t.origin.config.uploadsDir);
      assert.deepEqual(
        left.filter((name) => name.startsWith(created.uploadId)),
        [],
        'its bytes are removed',
      );
      assert.equal((await user.caller.content.get({ id: content.id })).status, 'failed');
    });
  });
}
