/**
 * Crash points for the fault-injection tests (origin/src/domains/media/publish-crash.test.ts): when
 * SPHERECAST_FAULT_AT names a step, the process kills itself with SIGKILL on reaching it, as a power
 * cut or an OOM kill would. A no-op unless that variable is set; never set it in production.
 */
export type FaultStep =
  | 'upload-before-rename'
  | 'upload-before-record'
  | 'publish-after-intent'
  | 'publish-after-prune'
  | 'publish-after-rename'
  | 'publish-after-commit'
  /** A web upload's worker, once ffmpeg has reported encode progress (domains/processing/pipeline.ts). */
  | 'processing-during-transcode'
  /** A web upload's worker, after its ladder is committed and before it is published. */
  | 'processing-before-publish'
  /** A chunk job of a long upload, once ffmpeg has reported progress on its chunk (domains/processing/chunk-jobs.ts). */
  | 'processing-during-chunk';

export function faultPoint(step: FaultStep): void {
  if (process.env.SPHERECAST_FAULT_AT === step) process.kill(process.pid, 'SIGKILL');
}
