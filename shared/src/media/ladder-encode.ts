import path from 'node:path';
import type { LadderPlan } from './ladder-plan.ts';

/** File names inside OUT. */
export const LADDER_FILES = {
  master: 'master.m3u8',
  playlist: 'index.m3u8',
  init: 'init.mp4',
  segmentPattern: 'segment-%05d.m4s',
  audioDir: 'audio',
  poster: 'poster.jpg',
  sprite: 'thumbnails.jpg',
  thumbnailsVtt: 'thumbnails.vtt',
  thumbnailsJson: 'thumbnails.json',
  manifest: 'ladder.json',
  mp4: 'download.mp4',
} as const;

export interface LadderEncodeOptions {
  /** x264/x265 preset. Default `veryfast`. */
  preset?: string;
}

/** Crop to the first (left or top) eye, for the poster and thumbnails. */
export function firstEye(projection: LadderPlan['projection']): string {
  if (projection === 'stereo-top-bottom') return 'crop=iw:ih/2:0:0,';
  if (projection === 'stereo-left-right') return 'crop=iw/2:ih:0:0,';
  return '';
}

/** The input video split and scaled to every rung: filter chains ending in `[v0]`, `[v1]`, …, plus `extra` unscaled copies. */
export function rungScaleGraph(plan: LadderPlan, input: string, extra: readonly string[] = []): string[] {
  return [
    `[${input}]split=${plan.rungs.length + extra.length}${plan.rungs.map((_, i) => `[s${i}]`).join('')}${extra.map((label) => `[${label}]`).join('')}`,
    ...plan.rungs.map((rung, i) => `[s${i}]scale=${rung.width}:${rung.height}:flags=bicubic,format=yuv420p[v${i}]`),
  ];
}

/**
 * Encoder options of every rung (`-c:v:i`, rates, preset, x264/x265 parameters), the keyframe rules
 * that align segments across rungs (a keyframe every `gopFrames` frames, scene cuts off), and the
 * audio encoder. Shared by the VOD ladder and the live ladder; `tune` (e.g. `zerolatency`) is live only.
 */
export function ladderEncoderArgs(plan: LadderPlan, preset: string, options: { tune?: string } = {}): string[] {
  const gop = plan.gopFrames;
  const args: string[] = [];
  plan.rungs.forEach((rung, i) => {
    const s = `:v:${i}`;
    args.push(`-b${s}`, `${rung.videoBitrateKbps}k`, `-maxrate${s}`, `${rung.maxrateKbps}k`, `-bufsize${s}`, `${rung.bufsizeKbps}k`, `-preset${s}`, preset);
    if (options.tune) args.push(`-tune${s}`, options.tune);
    if (rung.codec === 'h264') {
      args.push(`-c${s}`, 'libx264', `-profile${s}`, 'high', `-x264-params${s}`, 'scenecut=0:open-gop=0');
    } else {
      args.push(
        `-c${s}`,
        'libx265',
        `-tag${s}`,
        'hvc1',
        `-profile${s}`,
        'main',
        `-x265-params${s}`,
        `keyint=${gop}:min-keyint=${gop}:scenecut=0:open-gop=0:vbv-maxrate=${rung.maxrateKbps}:vbv-bufsize=${rung.bufsizeKbps}:log-level=error`,
      );
    }
  });
  args.push('-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-force_key_frames', `expr:eq(mod(n,${gop}),0)`);
  if (plan.audio) args.push('-c:a', 'aac', '-b:a', `${plan.audio.bitrateKbps}k`, '-ac', String(plan.audio.channels));
  return args;
}

/** The HLS muxer's `-var_stream_map`: one variant per rung (folder = rung name), audio in its own `audio` group. */
export function ladderStreamMap(plan: LadderPlan): string {
  const streamMap = plan.rungs.map((rung, i) => `v:${i},${plan.audio ? 'agroup:audio,' : ''}name:${rung.name}`);
  if (plan.audio) streamMap.push(`a:0,agroup:audio,name:${LADDER_FILES.audioDir}`);
  return streamMap.join(' ');
}

/**
 * The HLS muxer of a ladder (fMP4 segments of `segmentSeconds`, one variant a rung under `dir/%v`):
 * the same whether the rungs are encoded here or joined from chunks (chunk-join.ts).
 */
export function hlsLadderOutputArgs(plan: LadderPlan, dir: string): string[] {
  return [
    '-f',
    'hls',
    '-hls_time',
    plan.segmentSeconds.toFixed(6),
    '-hls_playlist_type',
    'vod',
    '-hls_segment_type',
    'fmp4',
    '-hls_flags',
    'independent_segments',
    // Each track's first fragment starts (tfdt) at that track's own first decode time. Without it both
    // tracks start at tfdt 0 and the offsets (video: the B-frame delay; audio: less the AAC priming)
    // go into empty edits, which MSE ignores: video then began 2 frames after audio in the browser,
    // a hole hls.js had to seek over. With it the init segments carry no empty edit, and ffprobe and
    // the browser agree: the first picture and the first audio after priming start together.
    '-hls_segment_options',
    'movflags=+frag_discont',
    '-hls_fmp4_init_filename',
    LADDER_FILES.init,
    '-hls_segment_filename',
    path.join(dir, '%v', LADDER_FILES.segmentPattern),
    '-var_stream_map',
    ladderStreamMap(plan),
    path.join(dir, '%v', LADDER_FILES.playlist),
  ];
}

/**
 * The arguments of the ONE ffmpeg process that encodes the whole ladder: decode once, `split` to
 * every rung (plus the poster and the thumbnail sprite), keyframes forced every `gopFrames` frames
 * on every rung with scene-cut detection off, fMP4 (CMAF) segments of exactly one GOP.
 */
export function buildLadderArgs(plan: LadderPlan, input: string, dir: string, options: LadderEncodeOptions = {}): string[] {
  const preset = options.preset ?? 'veryfast';
  const graph = rungScaleGraph(plan, '0:v:0', ['sposter', 'sthumbs']);
  const eye = firstEye(plan.projection);
  graph.push(`[sposter]select='eq(n\\,${plan.poster.frame})',${eye}scale=${plan.poster.width}:${plan.poster.height}:flags=bicubic[poster]`);
  const t = plan.thumbnails;
  graph.push(`[sthumbs]fps=1/${t.intervalSeconds},${eye}scale=${t.width}:${t.height}:flags=bicubic,tile=${t.columns}x${t.rows}[sprite]`);

  const args = ['-y', '-i', input, '-filter_complex', graph.join(';')];
  plan.rungs.forEach((_, i) => args.push('-map', `[v${i}]`));
  if (plan.audio) args.push('-map', '0:a:0');
  args.push(...ladderEncoderArgs(plan, preset));
  args.push(...hlsLadderOutputArgs(plan, dir));
  args.push('-map', '[poster]', '-frames:v', '1', '-update', '1', '-q:v', '3', path.join(dir, LADDER_FILES.poster));
  args.push('-map', '[sprite]', '-frames:v', '1', '-update', '1', '-q:v', '5', path.join(dir, LADDER_FILES.sprite));
  return args;
}
