import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobQueue } from './job-queue.ts';
import type { JobSnapshot } from './job-queue.ts';

/** A task that runs until released or aborted, reporting progress when asked. */
function controllableTask() {
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    release: () => release(),
    task: async ({ signal, report }: { signal: AbortSignal; report: (p: { fraction: number; step: string }) => void }) => {
      report({ fraction: 0.5, step: 'halfway' });
      await new Promise<void>((resolve, reject) => {
        void released.then(resolve);
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
      return { outputDir: '/tmp/out' };
    },
  };
}

describe('JobQueue', () => {
  it('runs one job at a time in order and reports queued → running → progress → done', async () => {
    const queue = new JobQueue({ concurrency: 1 });
    const seen: JobSnapshot[] = [];
    queue.on('changed', (job) => seen.push(job));
    const first = controllableTask();
    const second = controllableTask();
    const a = queue.enqueue({ projectId: 'p', kind: 'transcode', label: 'A' }, first.task);
    const b = queue.enqueue({ projectId: 'p', kind: 'transcode', label: 'B' }, second.task);
    await sleep(10);
    assert.equal(queue.get(a.id)?.state, 'running');
    assert.equal(queue.get(a.id)?.progress, 0.5);
    assert.equal(queue.get(a.id)?.step, 'halfway');
    assert.equal(queue.get(b.id)?.state, 'queued', 'the second job waits for the first');
    first.release();
    const doneA = await queue.settled(a.id);
    assert.equal(doneA?.state, 'done');
    assert.equal(doneA?.progress, 1);
    assert.deepEqual(doneA?.output, { outputDir: '/tmp/out' });
    await sleep(10);
    assert.equal(queue.get(b.id)?.state, 'running');
    second.release();
    await queue.settled(b.id);
    const statesOfA = seen.filter((job) => job.id === a.id).map((job) => job.state);
    assert.deepEqual([...new Set(statesOfA)], ['queued', 'running', 'done']);
    await queue.destroy();
  });

  it('cancels a running job through its signal and a queued one at once', async () => {
    const queue = new JobQueue();
    const running = controllableTask();
    const queued = controllableTask();
    const a = queue.enqueue({ projectId: 'p', kind: 'transcode', label: 'A' }, running.task);
    const b = queue.enqueue({ projectId: 'p', kind: 'transcode', label: 'B' }, queued.task);
    await sleep(10);
    assert.equal(queue.cancel(b.id), true);
    assert.equal(queue.get(b.id)?.state, 'cancelled');
    assert.equal(queue.cancel(a.id), true);
    assert.equal((await queue.settled(a.id))?.state, 'cancelled');
    assert.equal(queue.cancel(a.id), false, 'a finished job cannot be cancelled again');
    await queue.destroy();
  });

  it('ends a job whose task throws as failed with the described error', async () => {
    const queue = new JobQueue({
      describeError: (cause) => ({ code: 'BOOM', message: `Retry later: ${(cause as Error).message}`, retryable: true }),
    });
    const job = queue.enqueue({ projectId: 'p', kind: 'publish', label: 'P' }, () => {
      throw new Error('origin down');
    });
    const done = await queue.settled(job.id);
    assert.equal(done?.state, 'failed');
    assert.deepEqual(done?.error, { code: 'BOOM', message: 'Retry later: origin down', retryable: true });
    await queue.destroy();
  });

  it('streams changes to watchers until their signal aborts', async () => {
    const queue = new JobQueue();
    const abort = new AbortController();
    const received: string[] = [];
    const watching = (async () => {
      for await (const job of queue.watch(abort.signal)) received.push(`${job.label}:${job.state}`);
    })();
    const job = queue.enqueue({ projectId: 'p', kind: 'photo', label: 'X' }, () => Promise.resolve({}));
    await queue.settled(job.id);
    await sleep(5);
    abort.abort();
    await watching;
    assert.deepEqual(received, ['X:queued', 'X:running', 'X:done']);
    await queue.destroy();
  });
});
