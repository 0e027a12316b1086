import { probeMedia, transcodePhoto, TranscodeJob, type PhotoResult, type TranscodeResult } from '@spherecast/shared/media';
import type { CommandArgs } from '../args.ts';
import { printJson, type CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { formatDuration } from '@spherecast/shared/format';

/** Transcodes a video into a ladder or a photo into rungs; shared by `transcode` and `publish FILE`. */
export async function runTranscode(
  args: Pick<CommandArgs<'transcode'>, 'file' | 'out' | 'segment' | 'widths' | 'preset' | 'projection' | 'mp4' | 'overwrite'>,
  ctx: CliContext,
): Promise<TranscodeResult | PhotoResult> {
  const probe = await probeMedia(args.file, { signal: ctx.signal });
  if (probe.isStill) {
    ctx.progress.update(0, 'photo');
    const result = await transcodePhoto({
      input: args.file,
      out: args.out,
      probe,
      signal: ctx.signal,
      overwrite: args.overwrite,
      ...(args.projection ? { projection: args.projection } : {}),
      ...(args.widths ? { widths: args.widths } : {}),
    });
    ctx.progress.update(100, 'photo');
    ctx.progress.done();
    return result;
  }
  const job = new TranscodeJob({
    input: args.file,
    out: args.out,
    probe,
    mp4: args.mp4,
    overwrite: args.overwrite,
    ...(args.segment ? { segmentSeconds: args.segment } : {}),
    ...(args.widths ? { eyeWidths: args.widths } : {}),
    ...(args.preset ? { preset: args.preset } : {}),
    ...(args.projection ? { projection: args.projection } : {}),
  });
  job.on('progress', (p) => {
    const detail = p.phase === 'encode' ? `${p.fps.toFixed(0)} fps  ${p.speed.toFixed(2)}x  ETA ${formatDuration(p.etaSeconds)}` : '';
    ctx.progress.update(p.percent, p.phase, detail);
  });
  const onAbort = () => job.cancel();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await job.start();
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    ctx.progress.done();
  }
}

export async function transcodeCommand(args: CommandArgs<'transcode'>, ctx: CliContext): Promise<ExitCode> {
  const result = await runTranscode(args, ctx);
  if (ctx.json) {
    printJson(ctx, result);
    return EXIT.ok;
  }
  if ('variants' in result) {
    ctx.out(
      `Wrote ${result.outDir}/${result.master} (${result.projection}, ${formatDuration(result.durationSeconds)}, ${result.segmentSeconds.toFixed(3)} s segments) in ${result.elapsedSeconds.toFixed(1)} s`,
    );
    for (const v of result.variants) {
      ctx.out(
        `  ${v.name.padEnd(12)} ${`${v.width}x${v.height}`.padEnd(10)} ${v.codecs.padEnd(26)} peak ${Math.round(v.bandwidth / 1000)} kb/s, avg ${Math.round(v.averageBandwidth / 1000)} kb/s`,
      );
    }
    if (result.mp4) ctx.out(`  MP4 export: ${result.outDir}/${result.mp4}`);
  } else {
    ctx.out(`Wrote ${result.outDir}: ${result.rungs.map((r) => r.path).join(', ')}, ${result.preview}`);
  }
  return EXIT.ok;
}
