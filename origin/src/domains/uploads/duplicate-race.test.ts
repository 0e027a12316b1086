import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateEquirectFixture } from '@spherecast/shared/media';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { openUpload, waitForUpload } from '../../test-support/web-upload.ts';

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
    body: bytes,
  });
  await answer.arrayBuffer();
  return answer.status;
}

for (const kind of await testDatabaseKinds()) {
  describe(`duplicate uploads completing at the same moment (${kind})`, () => {
    let t: TestOrigin;
    let creator: TestUser;
    let workDir: string;
    let clip: Buffer;

    before(async () => {
      t = await startTestOrigin(kind, { processing: { transcode: { preset: 'ultrafast', segmentSeconds: 1, eyeWidths: [256] } } });
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
  });
}
