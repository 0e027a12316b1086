// TEMPORARY until the media engine exports its publish: replaced by that call.
import type { Projection } from '@spherecast/shared';
import { StudioError } from '../errors.ts';
import type { JobOutput, JobProgress } from '../jobs/job-queue.ts';
import type { PublishMetadata } from './publish-metadata.ts';

export interface PublishJobOptions {
  originUrl: string;
  token: string;
  ladderDir: string;
  kind: 'video' | 'photo';
  projection: Projection;
  durationSeconds: number | null;
  metadata: PublishMetadata;
  signal: AbortSignal;
  report: (progress: JobProgress) => void;
}

export async function runPublish(_options: PublishJobOptions): Promise<JobOutput> {
  throw new StudioError('MEDIA_ENGINE_FAILED', 'Publishing is not available in this build yet.');
}
