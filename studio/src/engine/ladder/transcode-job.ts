// TEMPORARY until the media engine exports its ladder transcode: replaced by that call.
import type { ProbeResult } from '@spherecast/shared/media';
import { StudioError } from '../errors.ts';
import type { JobProgress } from '../jobs/job-queue.ts';
import type { LadderRung } from './ladder.ts';

export interface TranscodeJobOptions {
  source: string;
  probe: ProbeResult;
  rungs: readonly LadderRung[];
  outputDir: string;
  signal: AbortSignal;
  report: (progress: JobProgress) => void;
}

export async function runTranscode(_options: TranscodeJobOptions): Promise<void> {
  throw new StudioError('MEDIA_ENGINE_FAILED', 'The ladder transcode is not available in this build yet.');
}
