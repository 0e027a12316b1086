import type { Projection } from '@spherecast/shared';
import { publishToOrigin, type PublishProgress } from '@spherecast/origin/publish';
import { createOriginClient } from '@spherecast/origin/client';
import type { JobOutput, JobProgress } from '../jobs/job-queue.ts';
import type { PublishMetadata } from './publish-metadata.ts';

export interface PublishJobOptions {
  originUrl: string;
  token: string;
  /** A finished transcode or photo output folder. */
  ladderDir: string;
  kind: 'video' | 'photo';
  projection: Projection;
  metadata: PublishMetadata;
  signal: AbortSignal;
  report: (progress: JobProgress) => void;
}

const PHASE_STEPS = {
  login: 'Signing in',
  create: 'Creating the content',
  hash: 'Hashing files',
  upload: 'Uploading',
  finalize: 'Finalizing',
} as const satisfies Record<PublishProgress['phase'], string>;

/** Uploads a ladder (or photo rungs) to the origin with the origin's publish client; resumes files already staged. */
export async function runPublish(options: PublishJobOptions): Promise<JobOutput> {
  const { metadata } = options;
  if (options.kind === 'photo' && metadata.captions.length > 0) {
    throw new Error('A photo has no captions: remove the caption files, then publish again.');
  }
  const result = await publishToOrigin({
    origin: options.originUrl,
    auth: { token: options.token },
    dir: options.ladderDir,
    content: {
      kind: options.kind,
      projection: options.projection,
      title: metadata.title,
      description: metadata.description,
      tags: metadata.tags,
      visibility: metadata.visibility,
      ...(metadata.genre ? { genre: metadata.genre } : {}),
      ...(metadata.location ? { location: metadata.location } : {}),
    },
    signal: options.signal,
    onProgress: (progress) =>
      options.report({
        fraction: progress.percent / 100,
        step: progress.phase === 'upload' ? `${PHASE_STEPS.upload} ${progress.doneFiles}/${progress.totalFiles} files` : PHASE_STEPS[progress.phase],
      }),
  });
  // Captions go in once the video is published: the origin writes them into the master as SUBTITLES renditions.
  if (metadata.captions.length > 0) {
    const client = createOriginClient({ baseUrl: options.originUrl, token: () => options.token, batch: false });
    for (const [index, caption] of metadata.captions.entries()) {
      options.report({ fraction: 1, step: `Adding captions ${index + 1}/${metadata.captions.length} (${caption.label})` });
      await client.api.content.putCaption.mutate({ id: result.contentId, ...caption }, { signal: options.signal });
    }
  }
  return { contentId: result.contentId, contentUrl: `${options.originUrl}/content/${result.contentId}` };
}
