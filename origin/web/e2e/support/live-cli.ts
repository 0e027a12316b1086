// `spherecast-studio live` run as a child process, as a creator runs it: the studio is another
// package, so it is started through its bin, never imported.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WEB_ROOT } from './build-player.ts';

const BIN = path.resolve(WEB_ROOT, '../../studio/bin/spherecast-studio.mjs');

/** A small broadcast for a 2-core machine: 256x128 at 10 fps, one rung. */
export const LEAN_LIVE = ['--size', '256', '--fps', '10', '--widths', '256', '--preset', 'ultrafast'];

export type LiveCliEvent = { event: string; [key: string]: unknown };

export class LiveCli {
  readonly events: LiveCliEvent[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;
  #waiters: Array<() => void> = [];

  constructor(args: string[]) {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SPHERECAST_')));
    this.#child = spawn(process.execPath, [BIN, 'live', '--json', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          this.events.push(JSON.parse(line) as LiveCliEvent);
        } catch {
          // A line that only looks like JSON (a partial write cut at a chunk boundary by a killed pipe):
          // kept for the failure message rather than crashing the test process.
          this.stderr += `[stdout, not JSON] ${line}\n`;
        }
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.#child.on('close', (code) => resolve(code)));
  }

  /** The first event matching `ok`, waiting up to `timeoutMs`. */
  async waitFor(ok: (e: LiveCliEvent) => boolean, timeoutMs: number): Promise<LiveCliEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(ok);
      if (found) return found;
      if (Date.now() > deadline || this.#child.exitCode !== null) throw new Error(`live CLI: no such event; stderr: ${this.stderr.slice(-2000)}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
  }

  /** Ctrl-C: the CLI delivers what it has, ends the channel and exits 130. */
  interrupt(): void {
    this.#child.kill('SIGINT');
  }

  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}
