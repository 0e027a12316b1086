import { MediaError } from './errors.ts';
import { TypedEmitter } from '../events/index.ts';

export interface MediaJobEvents<Result, Progress> {
  progress: Progress;
  done: Result;
  failed: MediaError;
}

/**
 * One run of a long media task (transcode, publish): started once, cancellable, reporting
 * `progress`, then `done` with its result or `failed` with a MediaError (CANCELLED after cancel()).
 */
export abstract class MediaJob<Result, Progress> extends TypedEmitter<MediaJobEvents<Result, Progress>> {
  readonly #controller = new AbortController();
  #started = false;

  /** Aborted by cancel(); pass it to everything the job waits on. */
  protected get signal(): AbortSignal {
    return this.#controller.signal;
  }

  cancel(): void {
    this.#controller.abort();
  }

  start(): Promise<Result> {
    if (this.#started) return Promise.reject(new MediaError('INVALID_OPTIONS', `A ${this.kind} job can only be started once; create a new job.`));
    this.#started = true;
    return this.run().then(
      (result) => {
        this.emit('done', result);
        return result;
      },
      (error: unknown) => {
        const mediaError = this.signal.aborted ? new MediaError('CANCELLED', this.cancelledMessage, { cause: error }) : this.toFailure(error);
        this.emit('failed', mediaError);
        throw mediaError;
      },
    );
  }

  /** Names the job in messages, e.g. "transcode". */
  protected abstract readonly kind: string;
  /** What a cancelled job tells the user about its output. */
  protected abstract readonly cancelledMessage: string;
  protected abstract run(): Promise<Result>;
  /** The error start() rejects with when run() fails without a cancel. */
  protected abstract toFailure(error: unknown): MediaError;
}

/** Runs a job to completion, cancelling it when `signal` aborts: the function form of every job. */
export async function runJob<Result, Progress>(
  job: MediaJob<Result, Progress>,
  options: { signal?: AbortSignal | undefined; onProgress?: ((progress: Progress) => void) | undefined },
): Promise<Result> {
  if (options.onProgress) job.on('progress', options.onProgress);
  const onAbort = () => job.cancel();
  if (options.signal?.aborted) job.cancel();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await job.start();
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
