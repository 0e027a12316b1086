import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { resolveFfmpeg, resolveFfprobe } from './ffmpeg-binary.ts';
import { MediaError } from './errors.ts';

/** One `-progress` report of a running ffmpeg. */
export interface FfmpegProgress {
  /** 0–100, or null when the media duration is unknown. */
  percent: number | null;
  /** Media time written so far, in seconds. */
  outTimeSeconds: number;
  /** Frames written so far (of the first video output). */
  frame: number;
  /** Frames encoded per second, as ffmpeg reports it. */
  fps: number;
  /** Speed relative to real time (2 = twice as fast as playback). */
  speed: number;
  /** Seconds left, from speed and duration; null when either is unknown. */
  etaSeconds: number | null;
  /** Frames dropped so far to keep the output frame rate (a live source faster than the encoder). */
  dropFrames: number;
  /** Frames duplicated so far to keep the output frame rate (a source slower than its rate). */
  dupFrames: number;
}

export interface RunFfmpegOptions {
  /** Arguments after the global options this module adds (`-hide_banner -nostdin -loglevel error -progress pipe:3`). */
  args: readonly string[];
  /** Aborting kills ffmpeg (SIGTERM, then SIGKILL after `killGraceMs`) and rejects with CANCELLED. */
  signal?: AbortSignal;
  /** Total media duration in seconds, for `percent` and `etaSeconds`. */
  durationSeconds?: number;
  onProgress?: (progress: FfmpegProgress) => void;
  /** Keep stdout in memory (e.g. `-f rawvideo pipe:1`). Default false: stdout is drained and dropped. */
  collectStdout?: boolean;
  /** How much of stderr to keep for error messages. Default 16 KiB. */
  stderrTailBytes?: number;
  /** Default 3000 ms. */
  killGraceMs?: number;
  env?: NodeJS.ProcessEnv;
  /**
   * Kill ffmpeg when this process dies, even by SIGKILL (a live encoder must not outlive its studio:
   * ffmpeg ignores SIGPIPE and would go on encoding). Linux, with util-linux `setpriv --pdeathsig`;
   * elsewhere ffmpeg stops only when told to.
   */
  dieWithParent?: boolean;
}

export interface FfmpegResult {
  stdout: Buffer;
  stderrTail: string;
}

/** Keeps the last `limit` characters of a stream of text. */
class BoundedTail {
  #text = '';
  constructor(private readonly limit: number) {}
  push(chunk: string): void {
    this.#text += chunk;
    if (this.#text.length > this.limit * 2) this.#text = this.#text.slice(-this.limit);
  }
  toString(): string {
    return this.#text.slice(-this.limit);
  }
}

const GENERIC_ERROR_LINES = [
  /^Conversion failed!?$/,
  /^Exiting normally/,
  /^Error reinitializing filters!?$/,
  /^Failed to inject frame into filter network/,
  /^Error while processing the decoded data/,
  /^Error while filtering/,
  /^Failed to configure input pad/,
  /Failed to configure input pad/,
];

/** The most telling line of ffmpeg's stderr: the first one that is not a generic follow-up. */
function telltaleLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => !GENERIC_ERROR_LINES.some((re) => re.test(l))) ?? lines.at(-1) ?? '';
}

/** Parses ffmpeg's `-progress` key=value blocks and calls back once per block. */
export class ProgressParser {
  #pending = '';
  #block = new Map<string, string>();
  constructor(
    private readonly durationSeconds: number | undefined,
    private readonly onProgress: (progress: FfmpegProgress) => void,
  ) {}

  push(chunk: string): void {
    this.#pending += chunk;
    let newline = this.#pending.indexOf('\n');
    while (newline >= 0) {
      const line = this.#pending.slice(0, newline).trim();
      this.#pending = this.#pending.slice(newline + 1);
      const eq = line.indexOf('=');
      if (eq > 0) {
        const key = line.slice(0, eq);
        const value = line.slice(eq + 1);
        if (key === 'progress') {
          this.#flush(value === 'end');
        } else {
          this.#block.set(key, value);
        }
      }
      newline = this.#pending.indexOf('\n');
    }
  }

  #flush(ended: boolean): void {
    const num = (key: string): number => {
      const n = Number.parseFloat(this.#block.get(key) ?? '');
      return Number.isFinite(n) ? n : 0;
    };
    const outTimeUs = num('out_time_us') || num('out_time_ms');
    const outTimeSeconds = Math.max(0, outTimeUs / 1e6);
    const speed = num('speed');
    const duration = this.durationSeconds && this.durationSeconds > 0 ? this.durationSeconds : undefined;
    const percent = duration === undefined ? null : ended ? 100 : Math.min(100, (outTimeSeconds / duration) * 100);
    const etaSeconds = duration === undefined ? null : ended ? 0 : speed > 0 ? Math.max(0, (duration - outTimeSeconds) / speed) : null;
    this.onProgress({
      percent,
      outTimeSeconds,
      frame: num('frame'),
      fps: num('fps'),
      speed,
      etaSeconds,
      dropFrames: num('drop_frames'),
      dupFrames: num('dup_frames'),
    });
    this.#block = new Map();
  }
}

/**
 * Runs one ffmpeg process to completion. The only place in the engine that spawns ffmpeg: it owns
 * progress parsing (`-progress pipe:3`, a dedicated fd so stdout stays free for raw frames),
 * cancellation through an AbortSignal, and a bounded stderr tail for error messages.
 */
export function runFfmpeg(options: RunFfmpegOptions): Promise<FfmpegResult> {
  const binary = resolveFfmpeg(options.env).path;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:3', '-nostats', ...options.args];
  return runChild('ffmpeg', binary, args, options);
}

/** Runs ffprobe and returns its stdout as text. */
export async function runFfprobe(args: readonly string[], options: { signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const binary = resolveFfprobe(options.env).path;
  const result = await runChild('ffprobe', binary, ['-hide_banner', '-loglevel', 'error', ...args], {
    ...options,
    args,
    collectStdout: true,
  });
  return result.stdout.toString('utf8');
}

function runChild(tool: 'ffmpeg' | 'ffprobe', binary: string, args: string[], options: RunFfmpegOptions): Promise<FfmpegResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new MediaError('CANCELLED', `${tool} was cancelled before it started.`));
  return new Promise<FfmpegResult>((resolve, reject) => {
    const leash = options.dieWithParent ? parentDeathWrapper() : null;
    const child = spawn(leash ?? binary, leash ? ['--pdeathsig', 'KILL', '--', binary, ...args] : args, {
      stdio: ['ignore', 'pipe', 'pipe', tool === 'ffmpeg' ? 'pipe' : 'ignore'],
      env: options.env ?? process.env,
      windowsHide: true,
    });
    const tail = new BoundedTail(options.stderrTailBytes ?? 16 * 1024);
    const stdoutChunks: Buffer[] = [];
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    let spawnError: Error | undefined;

    child.stdout?.on('data', (chunk: Buffer) => {
      if (options.collectStdout) stdoutChunks.push(chunk);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => tail.push(chunk));
    const progressStream = child.stdio[3] as Readable | null | undefined;
    if (progressStream) {
      const parser = options.onProgress ? new ProgressParser(options.durationSeconds, options.onProgress) : undefined;
      progressStream.setEncoding('utf8');
      progressStream.on('data', (chunk: string) => parser?.push(chunk));
      progressStream.on('error', () => {});
    }

    const onAbort = (): void => {
      aborted = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.killGraceMs ?? 3000);
      killTimer.unref();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      const stderrTail = tail.toString();
      if (aborted) {
        reject(new MediaError('CANCELLED', `${tool} was cancelled.`, { stderrTail }));
      } else if (spawnError) {
        reject(
          new MediaError(tool === 'ffmpeg' ? 'FFMPEG_NOT_FOUND' : 'FFPROBE_NOT_FOUND', `Could not start ${tool} at ${binary}: ${spawnError.message}`, {
            cause: spawnError,
          }),
        );
      } else if (code !== 0) {
        const line = telltaleLine(stderrTail);
        reject(
          new MediaError(
            'FFMPEG_FAILED',
            `${tool} failed (${code === null ? `killed by ${killedBy}` : `exit code ${code}`})${line ? `: ${line}` : ''}. Check the input file and the options; the full error is in stderrTail.`,
            { stderrTail },
          ),
        );
      } else {
        resolve({ stdout: Buffer.concat(stdoutChunks), stderrTail });
      }
    });
  });
}

let setprivPath: string | null | undefined;

/** `setpriv` (util-linux) where it can set the parent-death signal, else null. Looked up once. */
function parentDeathWrapper(): string | null {
  if (setprivPath === undefined) {
    setprivPath = process.platform === 'linux' ? (['/usr/bin/setpriv', '/bin/setpriv'].find((file) => existsSync(file)) ?? null) : null;
  }
  return setprivPath;
}
