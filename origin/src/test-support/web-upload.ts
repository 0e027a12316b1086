// A web upload as the upload page makes it: open it with POST /api/uploads, send the bytes with tus-js-client,
// then poll GET /api/uploads/{id} until processing reaches a state.
import assert from 'node:assert/strict';
import { Upload } from 'tus-js-client';
import { uploadCreatedSchema, uploadStateSchema, type UploadCreated, type UploadState } from '@spherecast/shared';
import type { TestOrigin, TestUser } from './test-origin.ts';

const MIB = 1024 * 1024;

/** Opens a tus upload of `size` bytes for `contentId` (POST /api/uploads); fails the test on any answer but 200. */
export async function openUpload(t: TestOrigin, user: TestUser, contentId: string, fileName: string, size: number): Promise<UploadCreated> {
  const answer = await t.http('POST', '/api/uploads', { token: user.token, body: { contentId, fileName, size } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return uploadCreatedSchema.parse(answer.body);
}

/** Sends `bytes` to a tus upload URL with tus-js-client, as the web page does; resolves when the server has them all. */
export function tusSend(
  url: string,
  token: string,
  bytes: Buffer,
  options: { chunkSize?: number; onChunk?: (upload: Upload, offset: number) => void } = {},
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const upload: Upload = new Upload(bytes, {
      uploadUrl: url,
      headers: { authorization: `Bearer ${token}` },
      chunkSize: options.chunkSize ?? 8 * MIB,
      retryDelays: [],
      onChunkComplete: (_size, offset) => options.onChunk?.(upload, offset),
      onSuccess: () => resolve(),
      onError: reject,
    });
    upload.start();
  });
}

/** The upload's state now (GET /api/uploads/{id}). */
export async function uploadState(t: TestOrigin, user: TestUser, uploadId: string): Promise<UploadState> {
  const answer = await t.http('GET', `/api/uploads/${uploadId}`, { token: user.token });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return uploadStateSchema.parse(answer.body);
}

/** Polls an upload until `done` says so (generous deadline: CI shares 2 cores with Chromium and ffmpeg); `seen` collects each status once. */
export async function waitForUpload(
  t: TestOrigin,
  user: TestUser,
  uploadId: string,
  done: (state: UploadState) => boolean = (state) => state.status === 'ready' || state.status === 'failed',
  seen: string[] = [],
): Promise<UploadState> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const state = await uploadState(t, user, uploadId);
    if (seen.at(-1) !== state.status) seen.push(state.status);
    if (done(state)) return state;
    if (Date.now() > deadline) throw new Error(`upload ${uploadId} stuck in ${state.status} (${JSON.stringify(state)})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
