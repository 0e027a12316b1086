import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import { z } from 'zod';

export const JOB_KINDS = ['transcode', 'photo', 'publish'] as const;
export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export const TERMINAL_JOB_STATES = ['done', 'failed', 'cancelled'] as const satisfies readonly (typeof JOB_STATES)[number][];

/** What a finished job left behind. */
export const jobOutputSchema = z.object({
  /** Folder with the ladder (`master.m3u8` …) or photo rungs, for transcode/photo jobs. */
  outputDir: z.string().optional(),
  /** Where the content lives on the origin, for publish jobs. */
  contentId: z.string().optional(),
  contentUrl: z.string().optional(),
});

export const jobSnapshotSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  kind: z.enum(JOB_KINDS),
  /** A short human description, e.g. "Transcode 3 rungs". */
  label: z.string(),
  state: z.enum(JOB_STATES),
  /** 0–1, or null while unknown. */
  progress: z.number().min(0).max(1).nullable(),
  etaSeconds: z.number().nullable(),
  /** What the job is doing now ("Encoding 1080p", "Uploading 12/40"). */
  step: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).nullable(),
  output: jobOutputSchema.nullable(),
  /** The job this one depends on (a publish job's transcode job). */
  sourceJobId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export type JobKind = (typeof JOB_KINDS)[number];
export type JobState = (typeof JOB_STATES)[number];
export type JobOutput = z.infer<typeof jobOutputSchema>;
export type JobSnapshot = z.infer<typeof jobSnapshotSchema>;

export interface JobProgress {
  /** 0–1, or null while unknown. */
  fraction: number | null;
  etaSeconds?: number | null;
  step?: string | null;
}

export interface JobContext {
  /** The job's own id (e.g. to name its output folder). */
  jobId: string;
  /** Aborted when the user cancels the job or the studio shuts down. */
  signal: AbortSignal;
  /** Reports progress; a plain function, so tasks may destructure it. */
  report: (progress: JobProgress) => void;
}

/** The work of a job. Rejecting after `signal` aborted ends the job as cancelled, otherwise as failed. */
export type JobTask = (context: JobContext) => Promise<JobOutput>;

export interface JobInit {
  projectId: string;
  kind: JobKind;
  label: string;
  sourceJobId?: string | null;
}

/** Events of the queue. `changed` fires for every state or progress change, with the new snapshot. */
export type JobQueueEvents = {
  changed: [JobSnapshot];
};

export interface JobQueueOptions {
  /** Jobs running at once. @default 1 */
  concurrency?: number;
  /** Turns a job's failure into the error it shows. @default the error's message, code 'JOB_FAILED' */
  describeError?: (cause: unknown) => { code: string; message: string; retryable: boolean };
}

interface Entry {
  snapshot: JobSnapshot;
  task: JobTask;
  abort: AbortController;
  finished: Promise<void>;
  resolveFinished: () => void;
}

function isTerminal(state: JobState): boolean {
  return (TERMINAL_JOB_STATES as readonly JobState[]).includes(state);
}

/** Runs studio jobs in order, `concurrency` at a time, with progress events and cancellation. */
export class JobQueue {
  readonly #events = new EventEmitter<JobQueueEvents>();
  readonly #entries = new Map<string, Entry>();
  readonly #concurrency: number;
  readonly #describeError: NonNullable<JobQueueOptions['describeError']>;
  #running = 0;
  #destroyed = false;

  constructor(options: JobQueueOptions = {}) {
    this.#concurrency = options.concurrency ?? 1;
    this.#describeError =
      options.describeError ?? ((cause) => ({ code: 'JOB_FAILED', message: cause instanceof Error ? cause.message : String(cause), retryable: false }));
    // Every subscription adds a listener; many renderer windows/tabs are normal, not a leak.
    this.#events.setMaxListeners(0);
  }

  on(event: 'changed', listener: (job: JobSnapshot) => void): void {
    this.#events.on(event, listener);
  }

  off(event: 'changed', listener: (job: JobSnapshot) => void): void {
    this.#events.off(event, listener);
  }

  /** Every change until `signal` aborts. */
  async *watch(signal: AbortSignal): AsyncGenerator<JobSnapshot> {
    try {
      for await (const [job] of on(this.#events, 'changed', { signal })) yield job as JobSnapshot;
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  enqueue(init: JobInit, task: JobTask): JobSnapshot {
    if (this.#destroyed) throw new Error('The job queue is shut down.');
    let resolveFinished = (): void => undefined;
    const finished = new Promise<void>((resolve) => {
      resolveFinished = resolve;
    });
    const snapshot: JobSnapshot = {
      id: randomUUID(),
      projectId: init.projectId,
      kind: init.kind,
      label: init.label,
      state: 'queued',
      progress: null,
      etaSeconds: null,
      step: null,
      error: null,
      output: null,
      sourceJobId: init.sourceJobId ?? null,
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
    };
    this.#entries.set(snapshot.id, { snapshot, task, abort: new AbortController(), finished, resolveFinished });
    this.#emit(snapshot);
    this.#pump();
    return { ...snapshot };
  }

  /**
   * Adds jobs of an earlier run (from the saved library) so they show in lists. Jobs that were still queued
   * or running when the studio stopped come back as failed: their process is gone.
   */
  restore(snapshots: readonly JobSnapshot[]): void {
    for (const saved of snapshots) {
      if (this.#entries.has(saved.id)) continue;
      const snapshot: JobSnapshot = isTerminal(saved.state)
        ? { ...saved }
        : {
            ...saved,
            state: 'failed',
            etaSeconds: null,
            finishedAt: saved.finishedAt ?? new Date().toISOString(),
            error: { code: 'INTERRUPTED', message: 'The studio closed while this job ran. Start it again.', retryable: true },
          };
      this.#entries.set(snapshot.id, {
        snapshot,
        task: () => Promise.resolve({}),
        abort: new AbortController(),
        finished: Promise.resolve(),
        resolveFinished: () => undefined,
      });
    }
  }

  /** Forgets finished jobs of a project (when the project is removed). */
  forget(projectId: string): void {
    for (const [id, entry] of this.#entries) {
      if (entry.snapshot.projectId === projectId && isTerminal(entry.snapshot.state)) this.#entries.delete(id);
    }
  }

  get(id: string): JobSnapshot | undefined {
    const entry = this.#entries.get(id);
    return entry ? { ...entry.snapshot } : undefined;
  }

  list(projectId?: string): JobSnapshot[] {
    return [...this.#entries.values()].map((entry) => ({ ...entry.snapshot })).filter((job) => projectId === undefined || job.projectId === projectId);
  }

  /**
   * Cancels a queued or running job. A queued job is cancelled at once; a running one when its task
   * has stopped (ffmpeg killed, upload aborted). Returns false when the job had already finished.
   */
  cancel(id: string): boolean {
    const entry = this.#entries.get(id);
    if (!entry || isTerminal(entry.snapshot.state)) return false;
    if (entry.snapshot.state === 'queued') {
      this.#finish(entry, { state: 'cancelled' });
      return true;
    }
    entry.abort.abort();
    return true;
  }

  /** Resolves when the job has reached a terminal state. */
  async settled(id: string): Promise<JobSnapshot | undefined> {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    await entry.finished;
    return { ...entry.snapshot };
  }

  /** Cancels everything and waits for running tasks to stop. */
  async destroy(): Promise<void> {
    this.#destroyed = true;
    const waits: Promise<void>[] = [];
    for (const entry of this.#entries.values()) {
      if (isTerminal(entry.snapshot.state)) continue;
      this.cancel(entry.snapshot.id);
      waits.push(entry.finished);
    }
    await Promise.all(waits);
    this.#events.removeAllListeners();
  }

  #pump(): void {
    while (this.#running < this.#concurrency) {
      const next = [...this.#entries.values()].find((entry) => entry.snapshot.state === 'queued');
      if (!next) return;
      this.#run(next);
    }
  }

  #run(entry: Entry): void {
    this.#running++;
    Object.assign(entry.snapshot, { state: 'running', startedAt: new Date().toISOString(), progress: 0 });
    this.#emit(entry.snapshot);
    const context: JobContext = {
      jobId: entry.snapshot.id,
      signal: entry.abort.signal,
      report: (progress) => {
        if (entry.snapshot.state !== 'running') return;
        entry.snapshot.progress = progress.fraction === null ? null : Math.min(1, Math.max(0, progress.fraction));
        if (progress.etaSeconds !== undefined) entry.snapshot.etaSeconds = progress.etaSeconds;
        if (progress.step !== undefined) entry.snapshot.step = progress.step;
        this.#emit(entry.snapshot);
      },
    };
    // Run on a later tick so a task that throws synchronously still ends as a failed job.
    void Promise.resolve()
      .then(() => entry.task(context))
      .then(
        (output) => {
          if (entry.abort.signal.aborted) this.#finish(entry, { state: 'cancelled' });
          else this.#finish(entry, { state: 'done', progress: 1, etaSeconds: 0, output });
        },
        (cause: unknown) => {
          if (entry.abort.signal.aborted) this.#finish(entry, { state: 'cancelled' });
          else this.#finish(entry, { state: 'failed', error: this.#describeError(cause) });
        },
      )
      .finally(() => {
        this.#running--;
        if (!this.#destroyed) this.#pump();
      });
  }

  #finish(entry: Entry, patch: Partial<JobSnapshot> & { state: JobState }): void {
    Object.assign(entry.snapshot, patch, { finishedAt: new Date().toISOString() });
    if (patch.state !== 'done') entry.snapshot.etaSeconds = null;
    this.#emit(entry.snapshot);
    entry.resolveFinished();
  }

  #emit(snapshot: JobSnapshot): void {
    this.#events.emit('changed', { ...snapshot });
  }
}
