import type { PGlite } from '@electric-sql/pglite';
import PgBoss from 'pg-boss';
import { z } from 'zod';

/** The queue every upload goes through once its bytes are in (see pipeline.ts). */
export const PROCESS_UPLOAD_QUEUE = 'process-upload';
/** One chunk of a long upload transcoded to every rung (chunk-jobs.ts), by any worker. */
export const TRANSCODE_CHUNK_QUEUE = 'transcode-chunk';
/** The join of an upload's chunks into its ladder, then the rest of the pipeline. */
export const JOIN_CHUNKS_QUEUE = 'join-chunks';
const jobDataSchema = z.object({ uploadId: z.uuid() });
const chunkJobDataSchema = z.object({ uploadId: z.uuid(), index: z.number().int().nonnegative() });

/** What a chunk handler learns of its job: its id, and whether a failure now is its last attempt. */
export interface ChunkJobInfo {
  id: string;
  retryCount: number;
  retryLimit: number;
}

/** Where the queue keeps its jobs: the platform's PostgreSQL, or the origin's embedded PGlite. */
export type QueueDatabase = { kind: 'postgres'; url: string } | { kind: 'pglite'; pglite: PGlite };

export interface ProcessingQueueOptions {
  database: QueueDatabase;
  /** A job running longer than this (its worker died or hangs) is failed and retried by another worker. */
  jobTimeoutSeconds: number;
  /** Attempts after the first. Default 2. */
  retryLimit?: number;
  /** How often expired jobs are looked for. Default 30 s (tests lower it). */
  maintenanceIntervalSeconds?: number;
  /** How often an idle worker asks for a job. Default 1 s. */
  pollingIntervalSeconds?: number;
  onError?: (error: Error) => void;
}

/**
 * pg-boss adapter for PGlite: pg-boss only needs `executeSql`. Statements with parameters use the
 * extended protocol (`query`); pg-boss's parameterless scripts (schema creation, its advisory-locked
 * migrations) hold several statements, which only the simple protocol (`exec`) runs. PGlite runs one
 * call at a time, so a script is never interleaved with the origin's own queries.
 */
function pgliteExecutor(pglite: PGlite) {
  return {
    executeSql: async (text: string, values?: unknown[]): Promise<{ rows: unknown[] }> => {
      if (values && values.length > 0) return { rows: (await pglite.query(text, values)).rows };
      const results = await pglite.exec(text);
      return { rows: results.at(-1)?.rows ?? [] };
    },
  };
}

/**
 * The processing job queue: pg-boss 10 (a job queue in PostgreSQL tables, `SKIP LOCKED` fetches) on
 * the platform's own database. On PostgreSQL any number of origins and `npm run worker` processes on
 * any number of machines share it. On the embedded PGlite, which one process opens, pg-boss runs on
 * the origin's own PGlite through `pgliteExecutor`, and the origin is the one worker.
 */
export class ProcessingQueue {
  readonly #boss: PgBoss;
  readonly #options: ProcessingQueueOptions;
  #workerIds: string[] = [];
  #started = false;

  constructor(options: ProcessingQueueOptions) {
    this.#options = options;
    const common = {
      schema: 'pgboss',
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
      // Archive finished jobs after a day, drop them a week later.
      archiveCompletedAfterSeconds: 24 * 3600,
      deleteAfterDays: 7,
    };
    // Two connections: polling and job updates; every origin and worker opens its own (mind max_connections).
    this.#boss =
      options.database.kind === 'postgres'
        ? new PgBoss({ ...common, connectionString: options.database.url, max: 2 })
        : new PgBoss({ ...common, db: pgliteExecutor(options.database.pglite) });
    this.#boss.on('error', (error: Error) => options.onError?.(error));
  }

  async start(): Promise<void> {
    if (this.#started) return;
    await this.#boss.start();
    // stately: with the upload id (or upload and chunk) as singleton key, one job per key is queued
    // and one runs at a time.
    for (const name of [PROCESS_UPLOAD_QUEUE, TRANSCODE_CHUNK_QUEUE, JOIN_CHUNKS_QUEUE]) await this.#ensureQueue(name);
    this.#started = true;
  }

  async #ensureQueue(name: string): Promise<void> {
    const queueOptions = {
      name,
      policy: 'stately' as const,
      retryLimit: this.#options.retryLimit ?? 2,
      retryDelay: 2,
      retryBackoff: false,
      expireInSeconds: this.#options.jobTimeoutSeconds,
    };
    // Several processes may start at once: creating a queue that another just created is fine.
    if (!(await this.#boss.getQueue(name))) {
      await this.#boss.createQueue(name, queueOptions).catch(async (error: unknown) => {
        if (!(await this.#boss.getQueue(name))) throw error;
      });
    } else {
      await this.#boss.updateQueue(name, queueOptions);
    }
  }

  /** Queues an upload for processing; an upload already queued or in progress is not queued twice. */
  async enqueue(uploadId: string): Promise<void> {
    await this.#boss.send(PROCESS_UPLOAD_QUEUE, { uploadId }, { singletonKey: uploadId });
  }

  /**
   * Runs `handler` for queued uploads, `concurrency` at a time in this process. A handler that
   * throws fails the attempt (retried up to retryLimit); one whose process dies is retried once
   * JOB_TIMEOUT_SECONDS have passed.
   */
  async work(concurrency: number, handler: (uploadId: string, job: { id: string }) => Promise<void>): Promise<void> {
    for (let i = 0; i < concurrency; i++) {
      const id = await this.#boss.work(
        PROCESS_UPLOAD_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: this.#options.pollingIntervalSeconds ?? 1 },
        async (jobs) => {
          for (const job of jobs) await handler(jobDataSchema.parse(job.data).uploadId, { id: job.id });
        },
      );
      this.#workerIds.push(id);
    }
  }

  /** Queues chunks of an upload; a chunk already queued or running is not queued twice. */
  async enqueueChunks(uploadId: string, indexes: readonly number[]): Promise<void> {
    for (const index of indexes) await this.#boss.send(TRANSCODE_CHUNK_QUEUE, { uploadId, index }, { singletonKey: `${uploadId}:${index}` });
  }

  /** Queues the join of an upload's chunks (once: every finishing chunk may ask for it). */
  async enqueueJoin(uploadId: string): Promise<void> {
    await this.#boss.send(JOIN_CHUNKS_QUEUE, { uploadId }, { singletonKey: uploadId });
  }

  /**
   * Runs `handler` for queued chunks, `concurrency` at a time in this process. What it returns is
   * kept as the job's output in pg-boss (the chunk handler returns the id of the worker that ran it).
   */
  async workChunks(
    concurrency: number,
    handler: (chunk: { uploadId: string; index: number }, job: ChunkJobInfo) => Promise<Record<string, unknown>>,
  ): Promise<void> {
    for (let i = 0; i < concurrency; i++) {
      const id = await this.#boss.work(
        TRANSCODE_CHUNK_QUEUE,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: this.#options.pollingIntervalSeconds ?? 1 },
        async ([job]) => (job ? handler(chunkJobDataSchema.parse(job.data), { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit }) : {}),
      );
      this.#workerIds.push(id);
    }
  }

  /** Runs `handler` for queued joins, one at a time in this process. */
  async workJoins(handler: (uploadId: string, job: { id: string }) => Promise<void>): Promise<void> {
    const id = await this.#boss.work(JOIN_CHUNKS_QUEUE, { batchSize: 1, pollingIntervalSeconds: this.#options.pollingIntervalSeconds ?? 1 }, async (jobs) => {
      for (const job of jobs) await handler(jobDataSchema.parse(job.data).uploadId, { id: job.id });
    });
    this.#workerIds.push(id);
  }

  /** Stops taking jobs, lets running ones finish (up to `timeoutMs`), and closes the queue's connections. */
  async destroy(timeoutMs = 10_000): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.#boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: true });
  }
}
