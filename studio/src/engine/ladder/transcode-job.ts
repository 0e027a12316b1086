import type { Projection } from '@spherecast/shared';
import { transcodeLadder } from '@spherecast/shared/media';
import type { LadderRungInput, ProbeResult, TranscodePhase } from '@spherecast/shared/media';
import { StudioError } from '../errors.ts';
import type { JobProgress } from '../jobs/job-queue.ts';

export interface TranscodeJobOptions {
  source: string;
  probe: ProbeResult;
  projection: Projection;
  /** Edited rungs, or null for the planned ladder. */
  rungs: readonly LadderRungInput[] | null;
  /** Must not exist yet; the media engine writes it only when the whole ladder succeeded. */
  outputDir: string;
  signal: AbortSignal;
  report: (progress: JobProgress) => void;
}

const PHASE_STEPS = {
  probe: 'Reading the source',
  encode: 'Encoding the rungs',
  package: 'Writing playlists and metadata',
} as const satisfies Record<TranscodePhase, string>;

/** Transcodes a video to the HLS ladder layout (`OUT/master.m3u8` …) with the media engine. */
export async function runTranscode(options: TranscodeJobOptions): Promise<void> {
  if (options.probe.isStill) {
    throw new StudioError('MEDIA_ENGINE_FAILED', 'The photo pipeline is not available in this build yet.');
  }
  await transcodeLadder({
    input: options.source,
    out: options.outputDir,
    probe: options.probe,
    projection: options.projection,
    ...(options.rungs ? { rungs: options.rungs } : {}),
    signal: options.signal,
    onProgress: (progress) =>
      options.report({
        fraction: progress.percent / 100,
        etaSeconds: progress.etaSeconds,
        step: `${PHASE_STEPS[progress.phase]}${progress.phase === 'encode' && progress.speed > 0 ? ` · ${progress.speed.toFixed(1)}× real time` : ''}`,
      }),
  });
}
