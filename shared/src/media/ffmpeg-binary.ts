import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MediaError } from './errors.ts';

const INSTALL_HINT =
  'Install ffmpeg (Debian/Ubuntu: `apt-get install ffmpeg`, macOS: `brew install ffmpeg`, Windows: `winget install ffmpeg`), ' +
  'or set FFMPEG_PATH and FFPROBE_PATH to the binaries.';

export interface ResolvedBinary {
  path: string;
  /** Where the path came from, for diagnostics. */
  source: 'env' | 'ffmpeg-static' | 'ffprobe-static' | 'sibling' | 'path';
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Loads an optional package's default export (a path string or `{ path }`), undefined when it is not installed. */
function optionalPackagePath(pkg: string): string | undefined {
  try {
    const loaded: unknown = createRequire(import.meta.url)(pkg);
    const candidate =
      typeof loaded === 'string'
        ? loaded
        : loaded && typeof loaded === 'object' && 'path' in loaded && typeof loaded.path === 'string'
          ? loaded.path
          : undefined;
    return candidate && existsSync(candidate) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds ffmpeg: `FFMPEG_PATH`, then ffmpeg-static's binary when that package is installed and its
 * file exists, then `ffmpeg` on PATH. Throws FFMPEG_NOT_FOUND with install instructions otherwise.
 */
export function resolveFfmpeg(env: NodeJS.ProcessEnv = process.env): ResolvedBinary {
  const fromEnv = env.FFMPEG_PATH;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return { path: fromEnv, source: 'env' };
    throw new MediaError('FFMPEG_NOT_FOUND', `FFMPEG_PATH is set to ${fromEnv}, which is not an executable file. Fix or unset it. ${INSTALL_HINT}`);
  }
  const fromPackage = optionalPackagePath('ffmpeg-static');
  if (fromPackage) return { path: fromPackage, source: 'ffmpeg-static' };
  const onPath = findOnPath('ffmpeg', env);
  if (onPath) return { path: onPath, source: 'path' };
  throw new MediaError('FFMPEG_NOT_FOUND', `ffmpeg was not found. ${INSTALL_HINT}`);
}

/**
 * Finds ffprobe: `FFPROBE_PATH`, then an `ffprobe` beside `FFMPEG_PATH`, then ffprobe-static when
 * installed, then `ffprobe` on PATH. Throws FFPROBE_NOT_FOUND with install instructions otherwise.
 */
export function resolveFfprobe(env: NodeJS.ProcessEnv = process.env): ResolvedBinary {
  const fromEnv = env.FFPROBE_PATH;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return { path: fromEnv, source: 'env' };
    throw new MediaError('FFPROBE_NOT_FOUND', `FFPROBE_PATH is set to ${fromEnv}, which is not an executable file. Fix or unset it. ${INSTALL_HINT}`);
  }
  if (env.FFMPEG_PATH) {
    const ext = path.extname(env.FFMPEG_PATH);
    const sibling = path.join(path.dirname(env.FFMPEG_PATH), `ffprobe${ext}`);
    if (isExecutable(sibling)) return { path: sibling, source: 'sibling' };
  }
  const fromPackage = optionalPackagePath('ffprobe-static');
  if (fromPackage) return { path: fromPackage, source: 'ffprobe-static' };
  const onPath = findOnPath('ffprobe', env);
  if (onPath) return { path: onPath, source: 'path' };
  throw new MediaError('FFPROBE_NOT_FOUND', `ffprobe was not found. ${INSTALL_HINT}`);
}
