import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { uploadCreatedSchema, uploadStateSchema, type UploadState } from '@spherecast/shared';
import { generateEquirectFixture } from '@spherecast/shared/media';
import { S3MediaObjects } from '../../core/media-store-s3.ts';
import { createSession } from '../../core/sessions.ts';
import { openDatabase, type Database } from '../../db/database.ts';
import { hashPassword } from '../auth/passwords.ts';
import { createServerDatabase, testDatabaseKinds } from '../../test-support/databases.ts';
import { killOriginProcess, startOriginProcess, type OriginProcess } from '../../test-support/origin-process.ts';
import { startTestBucket, type TestBucket } from '../../test-support/s3rver.ts';

const MIB = 1024 * 1024;

/** A raw tus request (what any tus client sends). */
async function tus(url: string, token: string, method: 'HEAD' | 'PATCH', offset?: number, bytes?: Buffer) {
  const answer = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'tus-resumable': '1.0.0',
      ...(offset !== undefined ? { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' } : {}),
    },
    ...(bytes ? { body: new Uint8Array(bytes) } : {}),
  });
  const text = await answer.text();
  return { status: answer.status, offset: Number(answer.headers.get('upload-offset')), text };
}

// Two origin processes share one database: PostgreSQL only.
const kinds = (await testDatabaseKinds()).filter((kind) => kind === 'postgres');

for (const kind of kinds) {
  describe(`resumable uploads into the bucket (STORAGE=s3): any origin continues any upload (${kind})`, () => {
    let bucket: TestBucket;
    let server: { url: string; drop: () => Promise<void> };
    let database: Database;
    let dir: string;
    let a: OriginProcess;
    let b: OriginProcess;
    let token: string;
    let clip: Buffer;

    const api = async (origin: OriginProcess, method: string, pathname: string, body?: unknown) => {
      const answer = await fetch(`${origin.url}${pathname}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: answer.status, body: await answer.json() };
    };
    const open = async (origin: OriginProcess, title: string, size: number) => {
      const content = await api(origin, 'POST', '/api/content', { title });
      assert.equal(content.status, 200, JSON.stringify(content.body));
      const { id } = content.body as { id: string };
      const created = await api(origin, 'POST', '/api/uploads', { contentId: id, fileName: `${title}.mp4`, size });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      return { contentId: id, ...uploadCreatedSchema.parse(created.body) };
    };
    const settled = async (origin: OriginProcess, uploadId: string): Promise<UploadState> => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const state = uploadStateSchema.parse((await api(origin, 'GET', `/api/uploads/${uploadId}`)).body);
        if (state.status === 'ready' || state.status === 'failed') return state;
        if (Date.now() > deadline) throw new Error(`upload ${uploadId} stuck in ${state.status}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    /** Objects of web uploads at the bucket's root (published media are below published/). */
    const uploadObjects = async (uploadId: string) => {
      const objects = new S3MediaObjects({ ...bucket.storage, prefix: '' });
      try {
        return (await objects.list(uploadId)).sort();
      } finally {
        objects.destroy();
      }
    };

    before(async () => {
      bucket = await startTestBucket('spherecast-uploads');
      server = await createServerDatabase();
      dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-bucket-uploads-'));
      const env = (name: string) => ({
        ...bucket.env,
        DATABASE_URL: server.url,
        // Each origin has its own disk: nothing of an upload may depend on which one received it.
        DATA_DIR: path.join(dir, name),
        MEDIA_URL_SECRET: 'a-test-secret-shared-by-both-origins-0123456789',
        TRANSCODE_PRESET: 'ultrafast',
        TRANSCODE_SEGMENT_SECONDS: '1',
        TRANSCODE_EYE_WIDTHS: '256',
      });
      a = await startOriginProcess(env('a'));
      b = await startOriginProcess(env('b'));
      database = await openDatabase({ kind: 'postgres', url: server.url });
      const user = await database.prisma.user.create({
        data: { username: 'roaming', email: 'roaming@example.test', displayName: 'roaming', role: 'creator', passwordHash: await hashPassword('password-123') },
        select: { id: true },
      });
      token = (await createSession(database.prisma, user.id, 3600_000, new Date())).token;
      const file = path.join(dir, 'clip.mp4');
      await generateEquirectFixture({ out: file, seconds: 1, width: 256, fps: 24, interp: 'linear', videoPreset: 'ultrafast' });
      clip = await readFile(file);
    });
    after(async () => {
      if (a) await killOriginProcess(a);
      if (b) await killOriginProcess(b);
      await database?.close();
      await server?.drop();
      await bucket?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test('half a video PATCHed through origin A is resumed through origin B, processed, and leaves no raw upload behind', async () => {
      const upload = await open(a, 'roaming-clip', clip.length);
      const tusPath = new URL(upload.uploadUrl).pathname;
      const half = Math.floor(clip.length / 2);
      assert.equal((await tus(`${a.url}${tusPath}`, token, 'PATCH', 0, clip.subarray(0, half))).status, 204);
      // Origin B has never seen this upload, and its disk has nothing of it: it asks the bucket.
      const head = await tus(`${b.url}${tusPath}`, token, 'HEAD');
      assert.equal(head.status, 200, head.text);
      assert.equal(head.offset, half);
      assert.equal((await tus(`${b.url}${tusPath}`, token, 'PATCH', half, clip.subarray(half))).status, 204);

      const state = await settled(b, upload.uploadId);
      assert.equal(state.status, 'ready', state.error ?? '');
      assert.equal(state.projection, 'equirectangular-mono');
      const playback = await api(a, 'GET', `/api/streaming/${upload.contentId}`);
      const masterUrl = new URL((playback.body as { masterUrl: string }).masterUrl, a.url);
      const master = await fetch(masterUrl);
      assert.equal(master.status, 200);
      assert.match(await master.text(), /RESOLUTION=256x128/);
      assert.deepEqual(await uploadObjects(upload.uploadId), [], 'the raw upload is removed from the bucket once published');
      for (const name of ['a', 'b']) {
        assert.deepEqual(await readdir(path.join(dir, name, 'uploads')).catch(() => []), [], `nothing in origin ${name}'s UPLOADS_DIR`);
      }
    });

    test('a multi-part upload (a full S3 part through A, the rest through B) keeps its offset across origins; a file that is not a video fails and is removed from the bucket', async () => {
      const bytes = randomBytes(6 * MIB);
      const upload = await open(a, 'noise', bytes.length);
      const tusPath = new URL(upload.uploadUrl).pathname;
      // 5.5 MiB is over S3's 5 MiB minimum: stored as part 1 of the multipart upload, not as a tail.
      const first = Math.floor(5.5 * MIB);
      assert.equal((await tus(`${a.url}${tusPath}`, token, 'PATCH', 0, bytes.subarray(0, first))).status, 204);
      assert.ok((await uploadObjects(upload.uploadId)).some((key) => key.startsWith(`${upload.uploadId}.parts/00001.${first}.`)));
      assert.equal((await tus(`${b.url}${tusPath}`, token, 'HEAD')).offset, first);
      // A resume at a wrong offset is refused; at the right one it completes.
      assert.equal((await tus(`${b.url}${tusPath}`, token, 'PATCH', 0, bytes.subarray(0, 10))).status, 409);
      assert.equal((await tus(`${b.url}${tusPath}`, token, 'PATCH', first, bytes.subarray(first))).status, 204);
      const state = await settled(a, upload.uploadId);
      assert.equal(state.status, 'failed');
      assert.match(state.error ?? '', /is not a video file ffmpeg can read/);
      assert.deepEqual(await uploadObjects(upload.uploadId), [], 'its bytes, info and part records are removed');
    });
  });
}
