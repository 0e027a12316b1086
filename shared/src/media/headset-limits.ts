/**
 * What headset video decoders accept. H.264 above level 5.2 does not play on most standalone
 * headsets (Quest 2/3, Pico 4 and Vision Pro's Safari decode H.264 up to level 5.2); HEVC Main
 * (and Main 10) up to 8192x4096 at 30 fps, or about 4K at 120 fps, is the common ceiling.
 */

/** H.264 level 5.2 (ITU-T H.264 Table A-1). */
export const H264_LEVEL_52 = {
  /** Frame size in 16×16 macroblocks. */
  maxFrameMacroblocks: 36_864,
  /** Macroblocks per second. */
  maxMacroblocksPerSecond: 2_073_600,
  /** High profile max bit rate (cpbBrVclFactor 1250 × 240 000), bits per second. */
  maxBitRate: 300_000_000,
} as const;

/** Decode ceiling we assume for HEVC on headsets. */
export const HEVC_HEADSET_LIMIT = {
  maxWidth: 8192,
  maxHeight: 4096,
  /** Luma samples per second (8192 × 4096 × 30). */
  maxLumaSamplesPerSecond: 8192 * 4096 * 30,
} as const;

/** Frame rates above this stutter on most headsets at high resolutions. */
export const HEADSET_MAX_FRAME_RATE = 60;

/** H.264 levels (×10) with their MaxFS and MaxMBPS, ascending (Table A-1). */
const H264_LEVELS = [
  [30, 1_620, 40_500],
  [31, 3_600, 108_000],
  [32, 5_120, 216_000],
  [40, 8_192, 245_760],
  [41, 8_192, 245_760],
  [42, 8_704, 522_240],
  [50, 22_080, 589_824],
  [51, 36_864, 983_040],
  [52, 36_864, 2_073_600],
  [60, 139_264, 4_177_920],
  [61, 139_264, 8_355_840],
  [62, 139_264, 16_711_680],
] as const;

function macroblocks(width: number, height: number): number {
  return Math.ceil(width / 16) * Math.ceil(height / 16);
}

/** The lowest H.264 level (×10, e.g. 52) a size and frame rate need, or null above level 6.2. */
export function h264LevelFor(width: number, height: number, fps: number): number | null {
  const frame = macroblocks(width, height);
  const perSecond = frame * fps;
  // MaxFS also bounds each dimension: sqrt(MaxFS × 8) macroblocks.
  const side = Math.max(Math.ceil(width / 16), Math.ceil(height / 16));
  for (const [level, maxFs, maxMbps] of H264_LEVELS) {
    if (frame <= maxFs && perSecond <= maxMbps && side <= Math.sqrt(maxFs * 8)) return level;
  }
  return null;
}

/** Whether H.264 at this size and rate stays within level 5.2, so headsets can decode it. */
export function fitsH264Level52(width: number, height: number, fps: number): boolean {
  const level = h264LevelFor(width, height, fps);
  return level !== null && level <= 52;
}

/** Whether a headset HEVC decoder can take this size and rate. */
export function fitsHevcHeadset(width: number, height: number, fps: number): boolean {
  return width <= HEVC_HEADSET_LIMIT.maxWidth && height <= HEVC_HEADSET_LIMIT.maxHeight && width * height * fps <= HEVC_HEADSET_LIMIT.maxLumaSamplesPerSecond;
}
