import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '../errors.ts';

/** A path as a client sends it: a non-empty string without NUL bytes, at most 4096 characters. */
export const sourcePathSchema = z
  .string()
  .trim()
  .min(1, 'Give the path of a video or photo file.')
  .max(4096, 'That path is too long.')
  .refine((value) => !value.includes('\0'), 'A path cannot contain a NUL character.');

export interface SourceFile {
  /** Absolute, normalised path. */
  path: string;
  sizeBytes: number;
  modifiedAt: string;
}

/**
 * Turns a client-given path into a checked source file: resolved to an absolute path, existing,
 * a regular file (not a folder, device or socket) and readable. Never trust a path without this.
 */
export async function resolveSourceFile(input: string): Promise<SourceFile> {
  const raw = sourcePathSchema.parse(input);
  const absolute = path.resolve(raw);
  let info;
  try {
    info = await stat(absolute);
  } catch {
    throw new StudioError('SOURCE_NOT_FOUND', `No file at ${absolute}. Check the path, or drop the file onto the library.`);
  }
  if (!info.isFile()) {
    throw new StudioError('SOURCE_NOT_A_FILE', `${absolute} is not a regular file. Choose a video or photo file, not a folder or device.`);
  }
  try {
    await access(absolute, constants.R_OK);
  } catch {
    throw new StudioError('SOURCE_UNREADABLE', `The studio cannot read ${absolute}. Check the file's permissions.`);
  }
  return { path: absolute, sizeBytes: info.size, modifiedAt: info.mtime.toISOString() };
}
