// The parent's handle on one tracker implementation running alone in a child process
// (tracker-bench-server.ts, started with --expose-gc), driven over IPC. Shared by the tracker
// benchmark's layouts and its large-scale run.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerCommand, ServerReport, TrackerKind } from './tracker-bench-server.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER_ENTRY = path.join(here, 'tracker-bench-server.ts');

type Report<T extends ServerReport['type']> = Extract<ServerReport, { type: T }>;

/** One tracker implementation in its own process, driven over IPC. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  /**
   * `trackerModule`: for `spherecast`, the path of another version's tracker/src/index.ts to run
   * instead of this tree's. `extraFlags`: Node/V8 flags for this server process only.
   */
  static start(kind: TrackerKind, trackerModule?: string, extraFlags: readonly string[] = []): Promise<ServerProcess> {
    // BENCH_TRACKER_PROFILE=<dir> writes a V8 CPU profile of each server process there.
    const profile = process.env.BENCH_TRACKER_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_TRACKER_PROFILE}`] : [];
    // BENCH_TRACKER_NODE_FLAGS adds V8/Node flags to the server processes (e.g. --trace-gc, --max-semi-space-size=64).
    const flags = [...(process.env.BENCH_TRACKER_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== ''), ...extraFlags];
    const child = fork(SERVER_ENTRY, trackerModule === undefined ? [kind] : [kind, trackerModule], {
      execArgv: ['--expose-gc', ...profile, ...flags, '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${kind} server did not start`)), 30_000);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
      child.once('message', (message: ServerReport) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(new ServerProcess(child, message.port));
        else reject(new Error(`unexpected ${message.type} from ${kind} server`));
      });
    });
  }

  request<T extends 'memory' | 'cpu' | 'loop' | 'stalls'>(type: T): Promise<Report<T>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} report`)), 30_000);
      const onMessage = (message: ServerReport): void => {
        if (message.type !== type) return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(message as Report<T>);
      };
      this.child.on('message', onMessage);
      this.child.send({ type } satisfies ServerCommand);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies ServerCommand);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
