import type { PGlite } from '@electric-sql/pglite';
import PgBoss from 'pg-boss';
import { z } from 'zod';

/** The queue every upload goes through once its bytes are in (see pipeline.ts). */
export const PROCESS_UPLOAD_QUEUE = 'process-upload';
const jobDataSchema = z.object({ uploadId: z.uuid() });

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
    // stately: with the upload id as singleton key, one job per upload is queued and one runs at a time.
    const queueOptions = {
      name: PROCESS_UPLOAD_QUEUE,
      policy: 'stately' as const,
      retryLimit: this.#options.retryLimit ?? 2,
      retryDelay: 2,
      retryBackoff: false,
      expireInSeconds: this.#options.jobTimeoutSeconds,
    };
    // Several processes may start at once: creating a queue that another just created is fine.
    if (!(await this.#boss.getQueue(PROCESS_UPLOAD_QUEUE))) {
      await this.#boss.createQueue(PROCESS_UPLOAD_QUEUE, queueOptions).catch(async (error: unknown) => {
        if (!(await this.#boss.getQueue(PROCESS_UPLOAD_QUEUE))) throw error;
      });
    } else {
      await this.#boss.updateQueue(PROCESS_UPLOAD_QUEUE, queueOptions);
    }
    this.#started = true;
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

  /** Stops taking jobs, lets running ones finish (up to `timeoutMs`), and closes the queue's connections. */
  async destroy(timeoutMs = 10_000): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.#boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: true });
  }
}
