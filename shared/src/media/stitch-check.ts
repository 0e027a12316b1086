import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { PROJECTION_ASPECT } from '../projection.ts';
import { MediaError } from './errors.ts';
import { sampleSphericalFrames } from './frame-sampler.ts';
import { fitsH264Level52, fitsHevcHeadset, h264LevelFor, HEADSET_MAX_FRAME_RATE, HEVC_HEADSET_LIMIT } from './headset-limits.ts';
import { hstackImages, writePng } from './png.ts';
import { probeMedia, projectionInfoSchema, type ProbeResult } from './probe.ts';
import { measurePole, measureWrapAlignment, measureWrapContinuity, measureWrapExposure, median, type PoleMeasure } from './stitch-metrics.ts';

export const checkStatusSchema = z.enum(['pass', 'warn', 'fail']);
export type CheckStatus = z.infer<typeof checkStatusSchema>;

export const stitchCheckSchema = z.object({
  /** Stable id; every seam check's id contains `seam`. */
  id: z.string(),
  status: checkStatusSchema,
  /** What was measured (a number where possible). */
  value: z.union([z.number(), z.string(), z.null()]),
  /** The limit the value was held against (the `fail` limit when there are two). */
  threshold: z.union([z.number(), z.string(), z.null()]),
  /** What was found and what to do about it. */
  message: z.string(),
  /** A PNG that shows the problem, when pictures were asked for. */
  picture: z.string().optional(),
});
export type StitchCheck = z.infer<typeof stitchCheckSchema>;

export const stitchReportSchema = z.object({
  file: z.string(),
  /** Worst status over all checks. */
  status: checkStatusSchema,
  projection: projectionInfoSchema,
  width: z.number().int(),
  height: z.number().int(),
  /** Media times of the frames the picture checks looked at, in seconds. */
  sampleTimes: z.array(z.number()),
  checks: z.array(stitchCheckSchema),
});
export type StitchReport = z.infer<typeof stitchReportSchema>;

/**
 * Limits of the stitch check, calibrated on the fixtures of fixtures.ts (1024×512, 4:2:0 H.264 at
 * CRF 20): clean clips measure a wrap ratio of 1.2–1.4, |EV| ≤ 0.04, colour shift ≤ 0.3, 0 rows,
 * pole anisotropy 0.9–1.0; the faulty ones 2.2–3.3, 0.6 EV, 11, 4 rows and 0.56.
 * The seam excess was calibrated on clean wraps of smooth (sky gradient, 2048×1024 up to CRF 34:
 * excess 0.4–1.6 with ratios up to 3.6), textured (3.2 at ratio 1.3) and noisy content (1.0 at
 * ratio 1.04); exposure, colour and parallax breaks of textured content measure 12–23.
 */
export const STITCH_THRESHOLDS = {
  /** Wrap column difference over neighbouring-column difference. */
  seamRatio: { warn: 1.6, fail: 2.0 },
  /**
   * Wrap column difference beyond the neighbouring-column difference (mean over R, G, B, 0–255).
   * The ratio alone fails clean wraps of smooth content (skies, walls, water), where neighbouring
   * columns barely differ and compression noise at the wrap makes a large ratio of tiny numbers; a
   * seam needs both.
   */
  seamExcess: { warn: 3, fail: 4 },
  /** Exposure step across the wrap, in stops. */
  seamEv: { warn: 0.15, fail: 0.3 },
  /** Chromaticity shift across the wrap (× 100). */
  seamColour: { warn: 1.5, fail: 3 },
  /** Vertical misalignment across the wrap, in rows of the source. */
  seamRows: { warn: 2, fail: 3 },
  /** Pole anisotropy (radial vs tangential detail, disc vs ring); low means smeared. */
  poleAnisotropy: { warn: 0.8, fail: 0.65 },
  /** Share of near-black pixels in the disc around a pole. */
  poleDark: { warn: 0.25, fail: 0.5 },
  /** Below this width the picture looks soft in a headset. */
  minWidth: 1920,
} as const;

export interface StitchCheckOptions {
  /** Frames sampled across the clip. Default 8. */
  samples?: number;
  /** Write PNGs of the seam and the poles here (created if missing). Default: no pictures. */
  picturesDir?: string;
  /** A probe already made of the file (saves one ffprobe). */
  probe?: ProbeResult;
  signal?: AbortSignal;
}

const rank = { pass: 0, warn: 1, fail: 2 } as const satisfies Record<CheckStatus, number>;

/** Status for a value where higher is worse. */
function above(value: number, limits: { warn: number; fail: number }): CheckStatus {
  return value >= limits.fail ? 'fail' : value >= limits.warn ? 'warn' : 'pass';
}
/** Status for a value where lower is worse. */
function below(value: number, limits: { warn: number; fail: number }): CheckStatus {
  return value <= limits.fail ? 'fail' : value <= limits.warn ? 'warn' : 'pass';
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Evenly spread sample times, away from the very first and last frame. */
export function sampleTimes(duration: number | null, count: number): number[] {
  if (!duration || duration <= 0) return [0];
  const n = Math.max(1, Math.floor(count));
  return Array.from({ length: n }, (_, i) => round(((i + 0.5) * duration) / n, 3));
}

/**
 * Checks a 360° clip or photo for stitching faults: continuity, exposure, colour and alignment at
 * the 0/360° wrap; smearing or a hole at the zenith and nadir; and format limits (projection aspect,
 * headset decode limits, spherical metadata). Metrics are computed here from raw RGB frames that
 * ffmpeg crops and renders (`v360`) for us.
 */
export async function checkStitching(file: string, options: StitchCheckOptions = {}): Promise<StitchReport> {
  const probe = options.probe ?? (await probeMedia(file, options));
  const { video, projection: info } = probe;
  const checks: StitchCheck[] = [];
  const projection = info.projection;
  if (!projection) {
    throw new MediaError(
      'NOT_SPHERICAL',
      info.spherical
        ? `${file} is marked as a ${info.spherical.projection} 360° picture; Spherecast checks equirectangular pictures only. Convert it to equirectangular first (ffmpeg's v360 filter can).`
        : `${file} is ${video.width}x${video.height} without spherical metadata, which is not a 360° layout (2:1 mono or 1:1 top-bottom stereo). Export it as equirectangular from your stitcher.`,
    );
  }
  const times = sampleTimes(probe.isStill ? null : probe.durationSeconds, options.samples ?? 8);
  const frames = await sampleSphericalFrames({
    file,
    width: video.width,
    height: video.height,
    projection,
    times,
    frameRate: video.frameRate,
    signal: options.signal,
  });
  if (frames.strips.length === 0) throw new MediaError('INPUT_UNREADABLE', `No frames could be decoded from ${file}. Is the file complete?`);

  let seamPicture: string | undefined;
  let zenithPicture: string | undefined;
  let nadirPicture: string | undefined;
  if (options.picturesDir) {
    await mkdir(options.picturesDir, { recursive: true });
    const stem = path.basename(file, path.extname(file));
    const strips = frames.strips.filter((_, i) => i % Math.max(1, Math.ceil(frames.strips.length / 6)) === 0);
    seamPicture = await writePng(path.join(options.picturesDir, `${stem}-seam.png`), hstackImages(strips, 6));
    const mid = Math.floor(frames.zenith.length / 2);
    if (frames.zenith[mid]) zenithPicture = await writePng(path.join(options.picturesDir, `${stem}-zenith.png`), frames.zenith[mid]);
    if (frames.nadir[mid]) nadirPicture = await writePng(path.join(options.picturesDir, `${stem}-nadir.png`), frames.nadir[mid]);
  }
  const withPicture = (check: StitchCheck, picture: string | undefined): StitchCheck => (picture ? { ...check, picture } : check);

  // Seam at the 0/360° wrap.
  const continuity = measureWrapContinuity(frames.strips, frames.edgeColumns);
  const excess = Math.max(0, continuity.wrapMad - continuity.interiorMad);
  const byRatio = above(continuity.ratio, STITCH_THRESHOLDS.seamRatio);
  const byExcess = above(excess, STITCH_THRESHOLDS.seamExcess);
  // The milder of the two: a seam differs both relatively and absolutely from its surroundings.
  const ratioStatus: CheckStatus = rank[byRatio] < rank[byExcess] ? byRatio : byExcess;
  checks.push(
    withPicture(
      {
        id: 'seam-continuity',
        status: ratioStatus,
        value: round(continuity.ratio),
        threshold: STITCH_THRESHOLDS.seamRatio.fail,
        message:
          `The columns meeting at the 0/360° wrap differ ${round(continuity.ratio)}× as much as neighbouring columns ` +
          `(mean difference ${round(continuity.wrapMad, 1)} vs ${round(continuity.interiorMad, 1)}, PSNR ${round(continuity.wrapPsnr, 1)} dB, ${frames.strips.length} frames). ` +
          (ratioStatus === 'pass'
            ? byRatio !== 'pass'
              ? `The wrap is seamless: the difference is only ${round(excess, 1)} levels above the neighbouring columns' (a seam needs ${STITCH_THRESHOLDS.seamExcess.fail}), compression noise on smooth content.`
              : 'The wrap is seamless.'
            : 'A viewer turning around will see a seam behind them: re-stitch with the seam blended, or move the stitch line away from the back.'),
      },
      seamPicture,
    ),
  );
  const exposure = measureWrapExposure(frames.strips, frames.edgeColumns);
  const evStatus = above(Math.abs(exposure.ev), STITCH_THRESHOLDS.seamEv);
  checks.push(
    withPicture(
      {
        id: 'seam-exposure',
        status: evStatus,
        value: round(Math.abs(exposure.ev)),
        threshold: STITCH_THRESHOLDS.seamEv.fail,
        message:
          `The ${exposure.ev >= 0 ? 'right' : 'left'} side of the wrap is ${round(Math.abs(exposure.ev))} EV brighter. ` +
          (evStatus === 'pass' ? 'Exposure matches across the wrap.' : 'Match the lenses’ exposure (gain/EV compensation) in the stitcher and re-export.'),
      },
      seamPicture,
    ),
  );
  const colourStatus = above(exposure.colourShift, STITCH_THRESHOLDS.seamColour);
  checks.push(
    withPicture(
      {
        id: 'seam-colour',
        status: colourStatus,
        value: round(exposure.colourShift),
        threshold: STITCH_THRESHOLDS.seamColour.fail,
        message:
          `Chromaticity shifts by ${round(exposure.colourShift)} across the wrap (red ${round(exposure.redShift)}, blue ${round(exposure.blueShift)}). ` +
          (colourStatus === 'pass' ? 'Colour matches across the wrap.' : 'Match the lenses’ white balance and colour profile in the stitcher and re-export.'),
      },
      seamPicture,
    ),
  );
  const alignment = measureWrapAlignment(frames.strips, frames.edgeColumns, Math.max(8, Math.min(32, Math.round(video.height / 64))));
  const rowsStatus = above(Math.abs(alignment.rows), STITCH_THRESHOLDS.seamRows);
  checks.push(
    withPicture(
      {
        id: 'seam-alignment',
        status: rowsStatus,
        value: Math.abs(alignment.rows),
        threshold: STITCH_THRESHOLDS.seamRows.fail,
        message:
          alignment.rows === 0
            ? 'The picture lines up vertically across the wrap.'
            : `The two sides of the wrap are offset by ${Math.abs(alignment.rows)} rows (match ${round(alignment.confidence)}× better shifted). ` +
              (rowsStatus === 'pass' ? 'Barely visible.' : 'Parallax misalignment: adjust the stitch (control points, horizon levelling) and re-export.'),
      },
      seamPicture,
    ),
  );

  // Poles.
  for (const [pole, views, picture] of [
    ['zenith', frames.zenith, zenithPicture],
    ['nadir', frames.nadir, nadirPicture],
  ] as const) {
    const measures: PoleMeasure[] = views.map((v) => measurePole(v));
    const anisotropy = median(measures.map((m) => m.anisotropy));
    const dark = median(measures.map((m) => m.darkFraction));
    const ringLuma = median(measures.map((m) => m.ringLuma));
    const smearStatus = below(anisotropy, STITCH_THRESHOLDS.poleAnisotropy);
    checks.push(
      withPicture(
        {
          id: `pole-${pole}-smear`,
          status: smearStatus,
          value: round(anisotropy),
          threshold: STITCH_THRESHOLDS.poleAnisotropy.fail,
          message:
            smearStatus === 'pass'
              ? `The ${pole} keeps its detail.`
              : `The ${pole} is smeared into rays (detail along the radius is ${round(anisotropy)}× what it is around it). Patch the ${pole} in the stitcher (or with a cap image) and re-export.`,
        },
        picture,
      ),
    );
    const judgeable = ringLuma > 40;
    const holeStatus = judgeable ? above(dark, STITCH_THRESHOLDS.poleDark) : 'pass';
    checks.push(
      withPicture(
        {
          id: `pole-${pole}-hole`,
          status: holeStatus,
          value: round(dark),
          threshold: STITCH_THRESHOLDS.poleDark.fail,
          message: !judgeable
            ? `The area around the ${pole} is too dark to judge.`
            : holeStatus === 'pass'
              ? `No hole at the ${pole}.`
              : `${Math.round(dark * 100)}% of the ${pole} is black: a hole the lenses did not cover. Fill it with a patch or a logo cap, or re-stitch with more overlap.`,
        },
        picture,
      ),
    );
  }

  // Geometry and format.
  const aspect = video.width / video.height;
  const expected = PROJECTION_ASPECT[projection];
  const aspectError = Math.abs(aspect / expected - 1);
  checks.push({
    id: 'format-aspect',
    status: aspectError < 0.015 ? 'pass' : aspectError < 0.05 ? 'warn' : 'fail',
    value: round(aspect, 3),
    threshold: expected,
    message:
      aspectError < 0.015
        ? `${video.width}x${video.height} is ${expected}:1, as ${projection} needs.`
        : `${video.width}x${video.height} is ${round(aspect, 3)}:1 but ${projection} needs ${expected}:1: the picture will be stretched. Export at ${expected}:1.`,
  });
  const fps = video.frameRate;
  const eyeWidth = projection === 'stereo-left-right' ? video.width / 2 : video.width;
  const h264Level = h264LevelFor(video.width, video.height, Math.max(fps, 1));
  const hevcOk = fitsHevcHeadset(video.width, video.height, Math.max(fps, 1));
  const resolutionStatus: CheckStatus = probe.isStill
    ? eyeWidth < STITCH_THRESHOLDS.minWidth
      ? 'warn'
      : 'pass'
    : !hevcOk
      ? 'warn'
      : eyeWidth < STITCH_THRESHOLDS.minWidth
        ? 'warn'
        : 'pass';
  checks.push({
    id: 'format-resolution',
    status: resolutionStatus,
    value: `${video.width}x${video.height}`,
    threshold: `${HEVC_HEADSET_LIMIT.maxWidth}x${HEVC_HEADSET_LIMIT.maxHeight}`,
    message: probe.isStill
      ? eyeWidth < STITCH_THRESHOLDS.minWidth
        ? `${video.width}x${video.height} is low for a 360° photo and will look soft in a headset.`
        : `${video.width}x${video.height} is fine for a 360° photo.`
      : !hevcOk
        ? `${video.width}x${video.height} at ${round(fps)} fps is beyond what headsets decode (HEVC up to ${HEVC_HEADSET_LIMIT.maxWidth}x${HEVC_HEADSET_LIMIT.maxHeight} at 30 fps); the ladder's rungs stay within it.`
        : eyeWidth < STITCH_THRESHOLDS.minWidth
          ? `${video.width}x${video.height} is low for 360° video (${Math.round(eyeWidth / 360)} px per degree): it will look soft in a headset.`
          : fitsH264Level52(video.width, video.height, Math.max(fps, 1))
            ? `${video.width}x${video.height} at ${round(fps)} fps fits H.264 level 5.2: every headset can decode it.`
            : `${video.width}x${video.height} at ${round(fps)} fps needs H.264 level ${h264Level === null ? '> 6.2' : h264Level / 10}; the ladder encodes it as HEVC, which headsets decode.`,
  });
  if (!probe.isStill) {
    const fpsStatus: CheckStatus = fps > HEADSET_MAX_FRAME_RATE ? 'warn' : fps > 0 && fps < 23 ? 'warn' : 'pass';
    checks.push({
      id: 'format-frame-rate',
      status: fpsStatus,
      value: round(fps, 3),
      threshold: HEADSET_MAX_FRAME_RATE,
      message:
        fps > HEADSET_MAX_FRAME_RATE
          ? `${round(fps)} fps is above the ${HEADSET_MAX_FRAME_RATE} fps most headsets decode at high resolutions; export at 60 or 30 fps.`
          : fps < 23
            ? `${round(fps)} fps will judder when the viewer turns their head; 30 fps or more is recommended.`
            : `${round(fps)} fps is fine for headsets.`,
    });
    const sourceLevel = video.codec === 'h264' ? video.level : null;
    const levelStatus: CheckStatus = sourceLevel !== null && sourceLevel > 52 ? 'warn' : 'pass';
    checks.push({
      id: 'format-codec-level',
      status: levelStatus,
      value: sourceLevel === null ? video.codec : `h264 level ${sourceLevel / 10}`,
      threshold: 'h264 level 5.2',
      message:
        levelStatus === 'warn'
          ? `The source is H.264 level ${sourceLevel! / 10}, above level 5.2: it will not play on most headsets as it is. The ladder re-encodes it within the limits.`
          : `The source codec (${video.codec}${sourceLevel ? ` level ${sourceLevel / 10}` : ''}) is fine.`,
    });
  }
  checks.push({
    id: 'metadata-spherical',
    status: info.source === 'metadata' ? 'pass' : 'warn',
    value: info.source === 'metadata' ? 'present' : 'missing',
    threshold: 'present',
    message:
      info.source === 'metadata'
        ? `Spherical metadata says ${projection}${info.stereo ? ` (${info.stereo})` : ''}.`
        : `No spherical metadata: ${projection} was inferred from the ${round(aspect, 2)}:1 aspect. Players that read metadata will show it flat; inject it (Spatial Media Metadata Injector) or let the Spherecast export write it.`,
  });

  const status = checks.reduce<CheckStatus>((worst, c) => (rank[c.status] > rank[worst] ? c.status : worst), 'pass');
  return stitchReportSchema.parse({
    file,
    status,
    projection: info,
    width: video.width,
    height: video.height,
    sampleTimes: times,
    checks,
  });
}
