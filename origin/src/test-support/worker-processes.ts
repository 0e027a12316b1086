// Worker processes (`npm run worker`) for the processing tests, started as an operator starts them on
// the test origin's database, and the upload that gives them work.
import type { TestOrigin, TestUser } from './test-origin.ts';
import { openUpload, tusSend } from './web-upload.ts';
import { spawnWorker, type WorkerProcess } from '../jobs/worker-process.ts';

/** One job at a time, the fastest preset and 1 s segments; `jobTimeoutSeconds` is also the origin's (the queue applies it when a job is sent). */
export function testWorkerEnv(t: TestOrigin, jobTimeoutSeconds: number): Record<string, string> {
  return {
    DATABASE_URL: t.origin.database.url ?? '',
    WORKER_CONCURRENCY: '1',
    JOB_TIMEOUT_SECONDS: String(jobTimeoutSeconds),
    JOB_MAINTENANCE_SECONDS: '1',
    TRANSCODE_PRESET: 'ultrafast',
    TRANSCODE_SEGMENT_SECONDS: '1',
  };
}

/** Two rungs and 2 s chunks: an 8 s source is cut into about 4. */
export const CHUNKED_WORKER_ENV = { TRANSCODE_EYE_WIDTHS: '384,256', CHUNK_SECONDS: '2' } as const;

/** A worker on the test origin's database and folders; `extraEnv` adds or overrides settings. */
export function startTestWorker(t: TestOrigin, jobTimeoutSeconds: number, extraEnv: Record<string, string> = {}): WorkerProcess {
  const { config } = t.origin;
  return spawnWorker({
    ...testWorkerEnv(t, jobTimeoutSeconds),
    DATA_DIR: config.dataDir,
    MEDIA_DIR: config.mediaDir,
    UPLOADS_DIR: config.uploadsDir,
    ...extraEnv,
  });
}

/** `promise`, or a failure naming what did not happen within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** A new content of `user`'s titled `title`, with `bytes` sent as its source over tus (processing starts then). */
export async function uploadClip(
  t: TestOrigin,
  user: TestUser,
  title: string,
  bytes: Buffer,
  fileName = `${title}.mp4`,
): Promise<{ contentId: string; uploadId: string }> {
  const content = await user.caller.content.create({ title });
  const created = await openUpload(t, user, content.id, fileName, bytes.length);
  await tusSend(created.uploadUrl, user.token, bytes);
  return { contentId: content.id, uploadId: created.uploadId };
}

/** Kills (SIGKILL) the workers still running and waits until every one has exited: a test file's teardown. */
export async function killWorkers(workers: WorkerProcess[]): Promise<void> {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  await Promise.all(workers.map((worker) => worker.exited));
}
