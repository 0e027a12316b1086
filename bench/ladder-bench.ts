// The ladder transcode of the media engine (one ffmpeg process: decode once, split to every rung)
// against, in the same run on the same generated source: a hand-written single ffmpeg command
// producing the same rungs, and one ffmpeg process per rung (each decoding the source again).
// Target: the engine within 10% of the hand-written command, at least 1.5x faster than per-rung.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateEquirectFixture, planLadder, probeMedia, resolveFfmpeg, runFfmpeg, TranscodeJob } from '@spherecast/shared/media';
import { machineLine } from './lib/results.ts';

const SECONDS = Number(process.env.BENCH_LADDER_SECONDS ?? 10);
const REPEAT = Math.max(1, Number(process.env.BENCH_LADDER_REPEAT ?? 1));
/** Source codec: 360 cameras record HEVC (Insta360, GoPro Max) or H.264; `BENCH_LADDER_SOURCE=h264` for the latter. */
const SOURCE_CODEC = process.env.BENCH_LADDER_SOURCE === 'h264' ? 'h264' : 'hevc';

/** The ladder written out by hand: what the engine must plan for a 3840x1920 30 fps source. */
const RUNGS = [
  { w: 3840, h: 1920, kbps: 15500 },
  { w: 2560, h: 1280, kbps: 6900 },
  { w: 1920, h: 960, kbps: 3850 },
  { w: 1280, h: 640, kbps: 1700 },
] as const;
const GOP = 120; // 4 s at 30 fps
const X264 = [
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  '-profile:v',
  'high',
  '-x264-params',
  'scenecut=0:open-gop=0',
  '-g',
  `${GOP}`,
  '-keyint_min',
  `${GOP}`,
  '-sc_threshold',
  '0',
  '-force_key_frames',
  `expr:eq(mod(n,${GOP}),0)`,
];
const HLS = [
  '-f',
  'hls',
  '-hls_time',
  '4',
  '-hls_playlist_type',
  'vod',
  '-hls_segment_type',
  'fmp4',
  '-hls_flags',
  'independent_segments',
  '-hls_fmp4_init_filename',
  'init.mp4',
];
const rate = (i: number, r: (typeof RUNGS)[number]) => [`-b:v:${i}`, `${r.kbps}k`, `-maxrate:v:${i}`, `${r.kbps * 1.5}k`, `-bufsize:v:${i}`, `${r.kbps * 2}k`];

/** One ffmpeg, decode once, split to the four rungs, HLS fMP4 with aligned GOPs (no poster, thumbnails or packaging). */
function handWrittenArgs(source: string, out: string): string[] {
  return [
    '-y',
    '-i',
    source,
    '-filter_complex',
    '[0:v]split=4[a][b][c][d];[a]scale=3840:1920:flags=bicubic,format=yuv420p[v0];[b]scale=2560:1280:flags=bicubic,format=yuv420p[v1];[c]scale=1920:960:flags=bicubic,format=yuv420p[v2];[d]scale=1280:640:flags=bicubic,format=yuv420p[v3]',
    '-map',
    '[v0]',
    '-map',
    '[v1]',
    '-map',
    '[v2]',
    '-map',
    '[v3]',
    '-map',
    '0:a:0',
    ...X264,
    ...RUNGS.flatMap((r, i) => rate(i, r)),
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    '-ac',
    '1',
    ...HLS,
    '-hls_segment_filename',
    path.join(out, '%v', 'segment-%05d.m4s'),
    '-var_stream_map',
    'v:0,agroup:audio v:1,agroup:audio v:2,agroup:audio v:3,agroup:audio a:0,agroup:audio',
    '-master_pl_name',
    'master.m3u8',
    path.join(out, '%v', 'index.m3u8'),
  ];
}

/** One process per rung, each decoding the source again; the first also encodes the audio. */
function perRungArgs(source: string, out: string): string[][] {
  return RUNGS.map((r, i) => [
    '-y',
    '-i',
    source,
    '-map',
    '0:v:0',
    ...(i === 0 ? ['-map', '0:a:0', '-c:a', 'aac', '-b:a', '96k', '-ac', '1'] : []),
    '-vf',
    `scale=${r.w}:${r.h}:flags=bicubic,format=yuv420p`,
    ...X264,
    ...rate(0, r),
    ...HLS,
    '-hls_segment_filename',
    path.join(out, `${r.w}x${r.h}`, '%v', 'segment-%05d.m4s'),
    '-var_stream_map',
    i === 0 ? 'v:0,agroup:audio a:0,agroup:audio' : 'v:0',
    path.join(out, `${r.w}x${r.h}`, '%v', 'index.m3u8'),
  ]);
}

/** CPU seconds (user + system) of this process and of its finished children (Linux /proc; 0 elsewhere). */
function cpuSeconds(): number {
  const self = process.cpuUsage();
  let children: number;
  try {
    // Fields 16 and 17 (cutime, cstime) of /proc/self/stat, in clock ticks of 1/100 s.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    children = (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    children = 0;
  }
  return (self.user + self.system) / 1e6 + children;
}

interface Timing {
  wall: number;
  cpu: number;
}

async function timed(run: () => Promise<unknown>): Promise<Timing> {
  const start = process.hrtime.bigint();
  const cpu = cpuSeconds();
  await run();
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: cpuSeconds() - cpu };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface LadderBenchFigures {
  /** Wall-clock and CPU seconds, medians over the runs. */
  engine: Timing;
  handWritten: Timing;
  perRung: Timing;
}

export async function runLadderBench(): Promise<{ markdown: string } & LadderBenchFigures> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-ladder-bench-'));
  try {
    const source = path.join(dir, 'source.mp4');
    const generated = await timed(() =>
      generateEquirectFixture({
        out: source,
        width: 3840,
        height: 1920,
        seconds: SECONDS,
        fps: 30,
        videoCodec: SOURCE_CODEC === 'hevc' ? 'libx265' : 'libx264',
      }),
    );
    const probe = await probeMedia(source);
    const plan = planLadder(probe);
    const planned = plan.rungs.map((r) => `${r.width}x${r.height}@${r.videoBitrateKbps}k/${r.codec}`).join(' ');
    const handWritten = RUNGS.map((r) => `${r.w}x${r.h}@${r.kbps}k/h264`).join(' ');
    if (planned !== handWritten || plan.gopFrames !== GOP)
      throw new Error(`The engine plans ${planned} (GOP ${plan.gopFrames}); the hand-written command encodes ${handWritten} (GOP ${GOP}). Update RUNGS.`);

    const engine: Timing[] = [];
    const hand: Timing[] = [];
    const perRung: Timing[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const outHand = path.join(dir, `hand-${i}`);
      hand.push(await timed(() => runFfmpeg({ args: handWrittenArgs(source, outHand) })));
      await rm(outHand, { recursive: true, force: true });
      const outEngine = path.join(dir, `engine-${i}`);
      engine.push(await timed(() => new TranscodeJob({ input: source, out: outEngine, probe }).start()));
      await rm(outEngine, { recursive: true, force: true });
      const outPerRung = path.join(dir, `per-rung-${i}`);
      perRung.push(
        await timed(async () => {
          for (const args of perRungArgs(source, outPerRung)) await runFfmpeg({ args });
        }),
      );
      await rm(outPerRung, { recursive: true, force: true });
    }
    const med = (xs: Timing[]): Timing => ({ wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });
    const e = med(engine);
    const h = med(hand);
    const p = med(perRung);
    const ffmpegVersion =
      execFileSync(resolveFfmpeg().path, ['-version'], { encoding: 'utf8' })
        .split('\n')[0]
        ?.replace(/ Copyright.*/, '') ?? 'ffmpeg';
    const cell = (t: Timing) => `${t.wall.toFixed(1)} s | ${t.cpu.toFixed(1)} s`;
    const vsHand = (k: 'wall' | 'cpu') => `${((e[k] / h[k] - 1) * 100).toFixed(1)}%`;
    const vsPerRung = (k: 'wall' | 'cpu') => `${(p[k] / e[k]).toFixed(2)}x`;
    const markdown = [
      '## Ladder transcode (media engine)',
      '',
      `${new Date().toISOString().slice(0, 10)} — ${machineLine()} at the end, ${ffmpegVersion}.`,
      '',
      `Source: ${SECONDS} s 3840x1920 30 fps ${SOURCE_CODEC === 'hevc' ? 'HEVC (x265, as 360 cameras record)' : 'H.264'}, generated (${(probe.sizeBytes / 1e6).toFixed(1)} MB, ${generated.wall.toFixed(0)} s to generate), mono AAC.`,
      `Ladder: ${planned}; x264 \`veryfast\`, GOP ${GOP} frames = 4 s segments, HLS fMP4.`,
      '',
      '| pipeline | wall time | CPU time (user+sys) |',
      '| --- | --- | --- |',
      `| engine: \`TranscodeJob\` (one ffmpeg, plus poster, thumbnail sprite, sv3d injection, master playlist) | ${cell(e)} |`,
      `| hand-written single ffmpeg command, same rungs (no poster, thumbnails or packaging) | ${cell(h)} |`,
      `| one ffmpeg process per rung, one after another | ${cell(p)} |`,
      '',
      `- Engine vs. hand-written: ${vsHand('wall')} wall, ${vsHand('cpu')} CPU (target ≤ +10%: ${e.wall <= h.wall * 1.1 ? 'met' : 'missed'} on wall time, ${e.cpu <= h.cpu * 1.1 ? 'met' : 'missed'} on CPU time).`,
      `- Per-rung vs. engine: ${vsPerRung('wall')} wall, ${vsPerRung('cpu')} CPU (target ≥ 1.5x: ${p.wall / e.wall >= 1.5 ? 'met' : 'missed'} on wall time, ${p.cpu / e.cpu >= 1.5 ? 'met' : 'missed'} on CPU time).`,
      '',
      `Median of ${REPEAT} run${REPEAT > 1 ? 's' : ''} each (\`BENCH_LADDER_REPEAT\`), interleaved; \`BENCH_LADDER_SOURCE=h264\` benchmarks an H.264 source. The machine is shared with other sessions, so wall time carries their load; CPU time does not.`,
    ].join('\n');
    return { markdown, engine: e, handWritten: h, perRung: p };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { markdown } = await runLadderBench();
  console.log(markdown);
}
