// Child process for tracker-bench.ts: runs ONE tracker implementation on loopback so that the load
// generator's memory and CPU never mix with the measured server's. Started with --expose-gc.
// Talks to the parent over IPC: sends { type: 'ready', port }, answers 'memory' and 'cpu', exits on 'stop'.
// bittorrent-tracker ships no types; the tracker package declares the parts we use (ambient modules,
// so they can only be pulled in by reference).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../../tracker/src/types/bittorrent-tracker.d.ts" />
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import Server from 'bittorrent-tracker/server';
import { TrackerServer } from '../../tracker/src/index.ts';
import { StallRecorder, type GcPause, type Stall } from './tracker-stalls.ts';

export const TRACKER_KINDS = ['spherecast', 'bittorrent-tracker'] as const;
export type TrackerKind = (typeof TRACKER_KINDS)[number];

export type ServerCommand =
  { readonly type: 'memory' } | { readonly type: 'cpu' } | { readonly type: 'loop' } | { readonly type: 'stalls' } | { readonly type: 'stop' };
export type ServerReport =
  | { readonly type: 'ready'; readonly port: number }
  | {
      readonly type: 'memory';
      readonly heapUsed: number;
      /** V8 heap pages held (used or not). */
      readonly heapTotal: number;
      readonly rss: number;
      /** Memory V8 knows of outside its heap (Buffers' backing stores and what native code reports). */
      readonly external: number;
      /** The part of `external` that is ArrayBuffer/Buffer backing stores. */
      readonly arrayBuffers: number;
      /** V8's own figures: resident heap pages, and what V8 itself holds with malloc. */
      readonly heapPhysical: number;
      readonly v8Malloced: number;
      /** Per heap space: committed size and resident size. */
      readonly spaces: Record<string, { readonly size: number; readonly physical: number; readonly used: number }>;
      readonly gc: boolean;
    }
  | { readonly type: 'cpu'; readonly micros: number }
  /** The server's event-loop delay since the previous 'loop' request (ms): what a message waits before the tracker can look at it. */
  | {
      readonly type: 'loop';
      readonly p50: number;
      readonly p99: number;
      readonly max: number;
      /** Garbage collections in the same span: their longest pause and the sum of pauses (ms). */
      readonly gcMax: number;
      readonly gcTotal: number;
    }
  /** The server's event-loop stalls and GC pauses since the previous 'stalls' request, with their times (see tracker-stalls.ts). */
  | { readonly type: 'stalls'; readonly stalls: Stall[]; readonly pauses: GcPause[] };

/** Announce interval given to both servers (seconds as clients see it). */
export const BENCH_INTERVAL_SECONDS = 120;

async function startServer(kind: TrackerKind, trackerModule: string | undefined): Promise<{ port: number; stop: () => Promise<void> }> {
  if (kind === 'spherecast') {
    // Another version of the tracker (an earlier commit's tracker/src, see tracker-scale.ts), measured in the same run.
    const Tracker = trackerModule === undefined ? TrackerServer : ((await import(trackerModule)) as { TrackerServer: typeof TrackerServer }).TrackerServer;
    const tracker = new Tracker({
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      announceIntervalSeconds: BENCH_INTERVAL_SECONDS,
      // All load comes from one IP and each connection announces as fast as it can: lift the
      // abuse limits, which bittorrent-tracker does not have, so both do the same work.
      maxConnectionsPerIp: 1_000_000,
      maxAnnouncesPerSecond: 1_000_000,
      // The large-scale run carries many peers (each in its own swarm) on one connection.
      maxSwarmsPerConnection: 100_000,
    });
    await tracker.start();
    return { port: tracker.port, stop: () => tracker.destroy() };
  }
  // bittorrent-tracker sends WebSocket clients interval = opts.interval / 5.
  const server = new Server({ udp: false, http: false, stats: false, interval: BENCH_INTERVAL_SECONDS * 5 * 1000 });
  server.on('warning', () => {});
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.http?.address();
  if (address === null || address === undefined || typeof address === 'string') throw new Error('bittorrent-tracker did not listen');
  return { port: address.port, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return false;
  for (let i = 0; i < 3; i++) gc();
  return true;
}

async function main(): Promise<void> {
  const kind = TRACKER_KINDS.find((name) => name === process.argv[2]);
  if (kind === undefined || process.send === undefined) throw new Error(`usage: fork with IPC and one of ${TRACKER_KINDS.join(', ')}`);
  const report = (message: ServerReport): void => void process.send?.(message);
  const server = await startServer(kind, process.argv[3]);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let gcMax = 0;
  let gcTotal = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMax = Math.max(gcMax, entry.duration);
      gcTotal += entry.duration;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  // Started by the first 'stalls' request (the large-scale run), so the layouts' throughput runs do without its timer.
  const stalls = new StallRecorder();
  process.on('message', (command: ServerCommand) => {
    if (command.type === 'memory') {
      const gc = collectGarbage();
      const memory = process.memoryUsage();
      const heap = getHeapStatistics();
      report({
        type: 'memory',
        heapUsed: memory.heapUsed,
        heapTotal: memory.heapTotal,
        rss: memory.rss,
        external: memory.external,
        arrayBuffers: memory.arrayBuffers,
        heapPhysical: heap.total_physical_size,
        v8Malloced: heap.malloced_memory,
        spaces: Object.fromEntries(
          getHeapSpaceStatistics().map((space) => [
            space.space_name,
            { size: space.space_size, physical: space.physical_space_size, used: space.space_used_size },
          ]),
        ),
        gc,
      });
    } else if (command.type === 'loop') {
      report({ type: 'loop', p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6, gcMax, gcTotal });
      loop.reset();
      gcMax = 0;
      gcTotal = 0;
    } else if (command.type === 'stalls') {
      stalls.start();
      report({ type: 'stalls', ...stalls.take() });
    } else if (command.type === 'cpu') {
      const usage = process.cpuUsage();
      report({ type: 'cpu', micros: usage.user + usage.system });
    } else {
      void server.stop().finally(() => process.exit(0));
      setTimeout(() => process.exit(0), 2000).unref();
    }
  });
  // The parent going away (crash, Ctrl-C) must not leave this process behind.
  process.on('disconnect', () => process.exit(0));
  report({ type: 'ready', port: server.port });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
