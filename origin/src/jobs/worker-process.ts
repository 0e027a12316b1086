import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ORIGIN_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A `npm run worker` process started by a test or a benchmark, and what its log says it did. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Upload ids this worker started and finished, from its log lines. */
  started: string[];
  done: string[];
  /** Chunks of long uploads this worker transcoded (`<uploadId>:<index>`), from its log lines. */
  chunks: string[];
  exited: Promise<NodeJS.Signals | number | null>;
}

/**
 * Starts `src/jobs/worker-main.ts` as an operator's `npm run worker -w origin` would, with exactly
 * `env` (plus PATH and HOME): DATABASE_URL, DATA_DIR, MEDIA_DIR, UPLOADS_DIR and the rest.
 */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/jobs/worker-main.ts'], {
    cwd: ORIGIN_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const worker: WorkerProcess = {
    child,
    started: [],
    done: [],
    chunks: [],
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code))),
  };
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as { message?: string; uploadId?: string; index?: number };
        if (entry.message === 'chunk done' && entry.uploadId) worker.chunks.push(`${entry.uploadId}:${entry.index}`);
        if (entry.message === 'job started' && entry.uploadId) worker.started.push(entry.uploadId);
        if (entry.message === 'job done' && entry.uploadId) worker.done.push(entry.uploadId);
      } catch {
        // not a log line
      }
    }
  });
  return worker;
}
