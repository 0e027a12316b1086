import { probeMedia } from '@spherecast/shared/media';
import type { CommandArgs } from '../args.ts';
import { printJson, type CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { formatBytes, formatDuration } from '@spherecast/shared/format';

export async function probeCommand(args: CommandArgs<'probe'>, ctx: CliContext): Promise<ExitCode> {
  const probe = await probeMedia(args.file, { signal: ctx.signal });
  if (ctx.json) {
    printJson(ctx, probe);
    return EXIT.ok;
  }
  const { video, audio, projection } = probe;
  ctx.out(
    [
      `${probe.file}`,
      `  format      ${probe.formatName}, ${formatBytes(probe.sizeBytes)}${probe.durationSeconds ? `, ${formatDuration(probe.durationSeconds)}` : ''}${probe.bitRate ? `, ${Math.round(probe.bitRate / 1000)} kb/s` : ''}`,
      `  video       ${video.codec}${video.profile ? ` ${video.profile}` : ''}${video.level ? ` level ${video.codec === 'hevc' ? video.level / 30 : video.level / 10}` : ''}, ${video.width}x${video.height}${probe.isStill ? ' (still)' : `, ${Number(video.frameRate.toFixed(3))} fps`}${video.pixelFormat ? `, ${video.pixelFormat}` : ''}`,
      `  audio       ${audio ? `${audio.codec}, ${audio.channels} ch${audio.channelLayout ? ` (${audio.channelLayout})` : ''}, ${audio.sampleRate ?? '?'} Hz` : 'none'}`,
      `  projection  ${projection.projection ?? 'not 360°'} (${projection.source === 'metadata' ? 'from spherical metadata' : projection.source === 'aspect' ? 'inferred from the aspect ratio' : 'no metadata, no 360° aspect'})`,
    ].join('\n'),
  );
  return EXIT.ok;
}
