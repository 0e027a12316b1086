import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** Folder name the studio uses inside the OS application-data folder. */
export const STUDIO_APP_FOLDER = 'Spherecast Studio';

/**
 * The OS application-data folder for the studio:
 * Linux `$XDG_CONFIG_HOME` (default `~/.config`), macOS `~/Library/Application Support`,
 * Windows `%APPDATA%` (default `~/AppData/Roaming`).
 */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', STUDIO_APP_FOLDER);
  if (platform === 'win32') return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), STUDIO_APP_FOLDER);
  return path.join(env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'), STUDIO_APP_FOLDER);
}

const envSchema = z.object({
  /** Where projects, uploads and transcode outputs live. Default: the OS app-data folder. */
  STUDIO_DATA_DIR: z.string().trim().min(1).optional(),
  /** Port of the browser-mode server (`studio:web`). Default 5174; 0 picks a free port. */
  STUDIO_PORT: z.coerce.number().int().min(0).max(65535).default(5174),
  /** Interface the browser-mode server binds. Default 127.0.0.1: the studio reads local files, keep it local. */
  STUDIO_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** How many transcode/publish jobs run at once. Default 1 (ffmpeg already uses every core). */
  STUDIO_JOB_CONCURRENCY: z.coerce.number().int().min(1).max(8).default(1),
});

export interface StudioConfig {
  dataDir: string;
  port: number;
  host: string;
  jobConcurrency: number;
}

/** Parses the studio's environment; throws one readable message naming every bad variable. */
export function loadStudioConfig(env: NodeJS.ProcessEnv = process.env): StudioConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Spherecast Studio cannot start, its environment is invalid:\n${lines.join('\n')}`);
  }
  const value = parsed.data;
  return {
    dataDir: path.resolve(value.STUDIO_DATA_DIR ?? defaultDataDir()),
    port: value.STUDIO_PORT,
    host: value.STUDIO_HOST,
    jobConcurrency: value.STUDIO_JOB_CONCURRENCY,
  };
}
