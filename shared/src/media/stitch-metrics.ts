/**
 * Pure measurements on raw RGB frames for the stitch check. Each function takes what the frame
 * sampler read from ffmpeg and returns plain numbers; thresholds live in stitch-check.ts.
 */
import type { RgbImage } from './png.ts';

function luma(data: Uint8Array, i: number): number {
  return 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface WrapContinuity {
  /** Mean absolute difference (0–255, luma and chroma averaged) between the two columns at the wrap. */
  wrapMad: number;
  /** The same difference between neighbouring columns just inside the picture: what continuous content looks like. */
  interiorMad: number;
  /** wrapMad / interiorMad: about 1 for a seamless wrap, well above for a visible seam. */
  ratio: number;
  /** PSNR in dB between the wrap columns (luma). */
  wrapPsnr: number;
}

/** Sum over channels of |a−b| between column xa and column xb of a strip, averaged over rows and channels. */
function columnMad(strip: RgbImage, xa: number, xb: number): { mad: number; lumaSq: number } {
  const { width, height, data } = strip;
  let sum = 0;
  let lumaSq = 0;
  for (let y = 0; y < height; y++) {
    const a = (y * width + xa) * 3;
    const b = (y * width + xb) * 3;
    sum += Math.abs(data[a]! - data[b]!) + Math.abs(data[a + 1]! - data[b + 1]!) + Math.abs(data[a + 2]! - data[b + 2]!);
    const dl = luma(data, a) - luma(data, b);
    lumaSq += dl * dl;
  }
  return { mad: sum / (height * 3), lumaSq: lumaSq / height };
}

/**
 * Compares the columns meeting at the wrap against neighbouring column pairs inside the picture.
 * Pairs straddle odd/even columns like the wrap does, so 4:2:0 chroma sharing does not flatter them.
 */
export function measureWrapContinuity(strips: readonly RgbImage[], edgeColumns: number): WrapContinuity {
  const k = edgeColumns;
  let wrap = 0;
  let wrapSq = 0;
  let interior = 0;
  let interiorPairs = 0;
  for (const strip of strips) {
    const w = columnMad(strip, k - 1, k);
    wrap += w.mad;
    wrapSq += w.lumaSq;
    for (const [a, b] of [
      [k + 1, k + 2],
      [k + 3, k + 4],
      [k + 5, k + 6],
      [k - 3, k - 2],
      [k - 5, k - 4],
      [k - 7, k - 6],
    ] as const) {
      interior += columnMad(strip, a, b).mad;
      interiorPairs++;
    }
  }
  const n = Math.max(1, strips.length);
  const wrapMad = wrap / n;
  const interiorMad = interior / Math.max(1, interiorPairs);
  const mse = wrapSq / n;
  return {
    wrapMad,
    interiorMad,
    ratio: wrapMad / Math.max(interiorMad, 0.5),
    wrapPsnr: mse > 0 ? 10 * Math.log10((255 * 255) / mse) : 99,
  };
}

export interface WrapExposure {
  /** Exposure difference across the wrap in stops (EV), signed: positive when the right edge is brighter. */
  ev: number;
  /** Chromaticity shift across the wrap: distance in (r, b) chromaticity × 100. */
  colourShift: number;
  /** The chromaticity shift split into red and blue components (× 100, right minus left). */
  redShift: number;
  blueShift: number;
}

const SRGB_TO_LINEAR = Float64Array.from({ length: 256 }, (_, v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});

/**
 * Per row, the mean of the `band` columns on each side of the wrap, in linear light; the medians of
 * the per-row log ratio and chromaticity difference ignore content edges that touch a few rows.
 */
export function measureWrapExposure(strips: readonly RgbImage[], edgeColumns: number, band = 4): WrapExposure {
  const k = edgeColumns;
  const evs: number[] = [];
  const reds: number[] = [];
  const blues: number[] = [];
  for (const { width, height, data } of strips) {
    for (let y = 0; y < height; y++) {
      let clipped = false;
      const side = (from: number) => {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let x = from; x < from + band; x++) {
          const i = (y * width + x) * 3;
          if (data[i]! >= 250 || data[i + 1]! >= 250 || data[i + 2]! >= 250) clipped = true;
          r += SRGB_TO_LINEAR[data[i]!]!;
          g += SRGB_TO_LINEAR[data[i + 1]!]!;
          b += SRGB_TO_LINEAR[data[i + 2]!]!;
        }
        return { r: r / band, g: g / band, b: b / band };
      };
      const right = side(k - band); // ends at 360°
      const left = side(k); // starts at 0°
      const lumR = 0.2126 * right.r + 0.7152 * right.g + 0.0722 * right.b;
      const lumL = 0.2126 * left.r + 0.7152 * left.g + 0.0722 * left.b;
      // Rows near black or with a clipped channel say nothing about exposure or colour.
      if (clipped || lumR < 0.005 || lumL < 0.005) continue;
      evs.push(Math.log2(lumR / lumL));
      const sumR = right.r + right.g + right.b;
      const sumL = left.r + left.g + left.b;
      reds.push((right.r / sumR - left.r / sumL) * 100);
      blues.push((right.b / sumR - left.b / sumL) * 100);
    }
  }
  const redShift = median(reds);
  const blueShift = median(blues);
  return { ev: median(evs), colourShift: Math.hypot(redShift, blueShift), redShift, blueShift };
}

export interface WrapAlignment {
  /** Rows the right edge must move to line up with the left edge (0 when aligned or undecidable). */
  rows: number;
  /** How much better the best shift matches than no shift (cost at 0 / cost at best, ≥ 1). */
  confidence: number;
}

/** Luma of one column, high-passed (minus a running mean) so exposure differences do not matter. */
function highPassColumn(strip: RgbImage, x: number, window = 9): Float64Array {
  const { width, height, data } = strip;
  const col = new Float64Array(height);
  for (let y = 0; y < height; y++) col[y] = luma(data, (y * width + x) * 3);
  const out = new Float64Array(height);
  for (let y = 0; y < height; y++) {
    let sum = 0;
    let count = 0;
    for (let j = Math.max(0, y - window); j <= Math.min(height - 1, y + window); j++) {
      sum += col[j]!;
      count++;
    }
    out[y] = col[y]! - sum / count;
  }
  return out;
}

/**
 * Finds the vertical misalignment (parallax) across the wrap: the row shift of the right edge
 * column that best matches the left edge column, cost summed over all sampled frames.
 */
export function measureWrapAlignment(strips: readonly RgbImage[], edgeColumns: number, maxShift = 12): WrapAlignment {
  const k = edgeColumns;
  const costs = new Float64Array(2 * maxShift + 1);
  const counts = new Float64Array(2 * maxShift + 1);
  for (const strip of strips) {
    const left = highPassColumn(strip, k);
    const right = highPassColumn(strip, k - 1);
    const h = strip.height;
    for (let s = -maxShift; s <= maxShift; s++) {
      for (let y = maxShift; y < h - maxShift; y++) {
        costs[s + maxShift]! += Math.abs(left[y]! - right[y + s]!);
        counts[s + maxShift]!++;
      }
    }
  }
  let best = 0;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let s = -maxShift; s <= maxShift; s++) {
    const cost = costs[s + maxShift]! / Math.max(1, counts[s + maxShift]!);
    // Prefer the smaller shift on near-ties, so flat content reads as aligned.
    if (cost < bestCost * 0.98 || (cost <= bestCost && Math.abs(s) < Math.abs(best))) {
      best = s;
      bestCost = cost;
    }
  }
  const zeroCost = costs[maxShift]! / Math.max(1, counts[maxShift]!);
  const confidence = bestCost > 0 ? zeroCost / bestCost : 1;
  return { rows: confidence < 1.1 ? 0 : best, confidence };
}

export interface PoleMeasure {
  /** Mean luma (0–255) of the disc around the pole. */
  coreLuma: number;
  /** Luma standard deviation inside that disc. */
  coreStd: number;
  /** Mean luma and standard deviation of the ring around it. */
  ringLuma: number;
  ringStd: number;
  /**
   * Detail along the radius (towards the pole) in the disc, relative to the ring around it: about 1
   * for real detail, near 0 for smearing (the stretched rows become rays with no detail along them)
   * and for a flat patch.
   */
  radialDetail: number;
  /** Detail across the radius in the disc, relative to the ring: rays keep it, a flat patch does not. */
  tangentialDetail: number;
  /** (radial / tangential detail) in the disc over the same in the ring: about 1 normally, low for smearing. */
  anisotropy: number;
  /** Share of the disc's pixels that are near black (luma < 16). */
  darkFraction: number;
}

/**
 * Measures a square pole viewport: a hole (dark, flat disc against a brighter ring) and smearing
 * (the stretched top/bottom rows of the equirectangular picture become rays from the pole, with
 * detail across the rays and none along them).
 */
export function measurePole(view: RgbImage, coreRadius = 0.25, ringInner = 0.45, ringOuter = 0.9): PoleMeasure {
  const { width, height, data } = view;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const half = Math.min(width, height) / 2;
  const zone = () => ({ sum: 0, sq: 0, n: 0, dark: 0, radial: 0, tangential: 0, gn: 0 });
  const core = zone();
  const ring = zone();
  const Y = (x: number, y: number) => luma(data, (y * width + x) * 3);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const r = Math.hypot(dx, dy) / half;
      const z = r <= coreRadius ? core : r >= ringInner && r <= ringOuter ? ring : undefined;
      if (!z) continue;
      const v = Y(x, y);
      z.sum += v;
      z.sq += v * v;
      z.n++;
      if (v < 16) z.dark++;
      if (r > 0.05) {
        const gx = (Y(x + 1, y) - Y(x - 1, y)) / 2;
        const gy = (Y(x, y + 1) - Y(x, y - 1)) / 2;
        const len = Math.hypot(dx, dy);
        z.radial += Math.abs((gx * dx + gy * dy) / len);
        z.tangential += Math.abs((-gx * dy + gy * dx) / len);
        z.gn++;
      }
    }
  }
  const mean = (z: ReturnType<typeof zone>) => z.sum / Math.max(1, z.n);
  const std = (z: ReturnType<typeof zone>) => Math.sqrt(Math.max(0, z.sq / Math.max(1, z.n) - mean(z) ** 2));
  const per = (value: number, z: ReturnType<typeof zone>) => value / Math.max(1, z.gn);
  // A ring with almost no detail (clear sky) cannot tell us anything: report the disc as normal.
  const ringRadial = per(ring.radial, ring);
  const ringTangential = per(ring.tangential, ring);
  return {
    coreLuma: mean(core),
    coreStd: std(core),
    ringLuma: mean(ring),
    ringStd: std(ring),
    radialDetail: ringRadial > 0.5 ? per(core.radial, core) / ringRadial : 1,
    tangentialDetail: ringTangential > 0.5 ? per(core.tangential, core) / ringTangential : 1,
    anisotropy: ringRadial > 0.5 && ringTangential > 0.5 && core.tangential > 0 ? core.radial / core.tangential / (ring.radial / ring.tangential) : 1,
    darkFraction: core.dark / Math.max(1, core.n),
  };
}

export { median };
