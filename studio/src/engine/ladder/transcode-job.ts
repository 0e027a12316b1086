import type { Projection } from '@spherecast/shared';
import { transcodeLadder, transcodePhoto } from '@spherecast/shared/media';
import type { LadderRungInput, ProbeResult, TranscodePhase } from '@spherecast/shared/media';
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

/** Transcodes a video to the HLS ladder layout (`OUT/master.m3u8` …), or a photo to its rungs, with the media engine. */
export async function runTranscode(options: TranscodeJobOptions): Promise<void> {
  if (options.probe.isStill) {
    // One ffmpeg process renders every rung; it reports no progress of its own.
    options.report({ fraction: null, step: 'Rendering photo rungs' });
    await transcodePhoto({ input: options.source, out: options.outputDir, probe: options.probe, projection: options.projection, signal: options.signal });
    return;
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
