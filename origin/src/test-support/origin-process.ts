// A real origin in its own process, for tests that kill it (SIGKILL) and start it again on the same
// PostgreSQL database, media folder and port: publish-crash.test.ts, e2e/live-fault.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'origin-child.ts');

export interface OriginProcess {
  url: string;
  child: ChildProcess;
  /** The exit code, or the signal that ended it. */
  exited: Promise<NodeJS.Signals | number | null>;
}

/**
 * Starts `origin-child.ts` with `env` added to this process's environment (DATABASE_URL, DATA_DIR,
 * SPHERECAST_TEST_PORT, SPHERECAST_FAULT_AT, ...) and resolves once it listens.
 */
export async function startOriginProcess(env: Record<string, string>, startTimeoutMs = 60_000): Promise<OriginProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, SEED_DEMO: 'false', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the origin did not start within ${startTimeoutMs / 1000} s`));
    }, startTimeoutMs);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\S+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`the origin exited (${String(how)}) before listening`));
    });
  });
  return { url, child, exited };
}

/** Kills an origin process at once (SIGKILL) and waits until it is gone. */
export async function killOriginProcess(origin: OriginProcess): Promise<NodeJS.Signals | number | null> {
  origin.child.kill('SIGKILL');
  return origin.exited;
}
