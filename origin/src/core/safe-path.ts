import path from 'node:path';
import { LIMITS } from '@spherecast/shared';

/** One path segment: starts with a letter or digit, then letters, digits, `.`, `_`, `-`. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_DEPTH = 6;

export class UnsafePathError extends Error {
  override name = 'UnsafePathError';
}

/**
 * Checks a client-given relative media path (already URL-decoded once) and returns it normalised.
 * Rejects anything that could leave the content's folder: `..`, absolute paths, backslashes,
 * still-encoded characters (double encoding), hidden files, empty segments.
 */
export function normaliseMediaPath(raw: string): string {
  if (raw.length === 0 || raw.length > LIMITS.mediaPathMax) {
    throw new UnsafePathError(`The media path must be 1 to ${LIMITS.mediaPathMax} characters.`);
  }
  if (raw.includes('\\') || raw.includes('%') || raw.includes('\0') || raw.startsWith('/')) {
    throw new UnsafePathError('The media path must be a plain relative path like "1920x960/seg_00001.m4s".');
  }
  const segments = raw.split('/');
  if (segments.length > MAX_DEPTH || !segments.every((segment) => SEGMENT.test(segment) && segment !== '..')) {
    throw new UnsafePathError('Each part of a media path must start with a letter or digit and use only letters, digits, ".", "_" and "-".');
  }
  return segments.join('/');
}

/** Resolves a normalised relative path inside `root`, refusing anything that would land outside it. */
export function resolveInside(root: string, relative: string): string {
  const resolved = path.resolve(root, relative);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) {
    throw new UnsafePathError('The media path leaves its folder.');
  }
  return resolved;
}
