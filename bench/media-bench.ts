// Media serving: the origin's /media against nginx (Debian's package) serving the same folder, same
// load, same run. Published files of one public content: fMP4 segments of 2-4 MB, init segments and
// playlists; the mix is whole segments, Range requests inside segments (as players and P2P loaders
// send them) and playlists. Both servers take turns ROUNDS times; ratios are taken within a round.
// nginx: NGINX_PATH, else /usr/sbin/nginx, /usr/bin/nginx, or nginx on the PATH. Without it the bench
// says so and leaves its section of RESULTS.md as it was (apt-get install nginx-light).
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@spherecast/shared/testing/net';
import { openDatabase } from '../origin/src/index.ts';
import { findNginx, shippedNginxConfig, startNginx, type RunningNginx } from '../origin/src/test-support/nginx.ts';
import { startOriginProcess, type OriginProcess } from '../origin/src/test-support/origin-process.ts';
import { rng } from './lib/catalog-generator.ts';
import { machineLine, RESULTS_FILE } from './lib/results.ts';

const CONNECTIONS = Number(process.env.BENCH_MEDIA_CONNECTIONS ?? 20);
const DURATION_SECONDS = Number(process.env.BENCH_MEDIA_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_MEDIA_ROUNDS ?? 3);
const RUNGS = 4;
const SEGMENTS_PER_RUNG = 10;
const CLOCK_TICKS = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU time in 1/100 s

/** CPU seconds (user + system) a process and its threads have used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state (field 3); utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

async function childPids(pid: number): Promise<number[]> {
  try {
    const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim();
    return children ? children.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

interface Published {
  dataDir: string;
  contentId: string;
  /** Folder the origin serves /media/ from (DATA_DIR/media/published). */
  publishedRoot: string;
  /** Request paths under /media/ with the Range header to send, if any. */
  requests: Array<{ path: string; range?: string }>;
  bytesOnDisk: number;
  /** A file of a private content: unsigned, every server in front of the origin must refuse it. */
  privatePath: string;
}

/** One public, ready content with a 4-rung fMP4 ladder of 2-4 MB segments, in a fresh data folder. */
async function publish(): Promise<Published> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-bench-media-'));
  // nginx's worker runs as another user when the bench runs as root: the folder must be readable.
  await chmod(dataDir, 0o755);
  const database = await openDatabase({ kind: 'pglite', dir: path.join(dataDir, 'db') });
  const contentId = randomUUID();
  const publishId = `p${Date.now().toString(36)}`;
  const owner = await database.prisma.user.create({
    data: { username: 'mediabench', email: 'mediabench@bench.test', passwordHash: 'x', displayName: 'Media bench', role: 'creator' },
    select: { id: true },
  });
  await database.prisma.content.create({
    data: {
      id: contentId,
      ownerId: owner.id,
      title: 'Media bench',
      status: 'ready',
      visibility: 'public',
      publishedAt: new Date(),
      publishedPath: `${contentId}/${publishId}`,
      masterFile: 'master.m3u8',
    },
  });
  const privateId = randomUUID();
  await database.prisma.content.create({
    data: {
      id: privateId,
      ownerId: owner.id,
      title: 'Media bench (private)',
      status: 'ready',
      visibility: 'private',
      publishedAt: new Date(),
      publishedPath: `${privateId}/${publishId}`,
      masterFile: 'master.m3u8',
    },
  });
  await database.close();

  const publishedRoot = path.join(dataDir, 'media', 'published');
  const folder = path.join(publishedRoot, contentId, publishId);
  const random = rng(2024);
  const requests: Published['requests'] = [];
  let bytesOnDisk = 0;
  const master = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  const segments: Array<{ file: string; size: number }> = [];
  const playlists: string[] = ['master.m3u8'];
  for (let rung = 0; rung < RUNGS; rung += 1) {
    const dir = path.join(folder, `v${rung}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'init.mp4'), randomBytes(1_200));
    const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-MAP:URI="init.mp4"'];
    for (let index = 0; index < SEGMENTS_PER_RUNG; index += 1) {
      const size = Math.floor(2 * 2 ** 20 + random() * 2 * 2 ** 20);
      const file = `v${rung}/seg${index}.m4s`;
      await writeFile(path.join(folder, file), randomBytes(size));
      bytesOnDisk += size;
      segments.push({ file, size });
      lines.push('#EXTINF:4.000,', `seg${index}.m4s`);
    }
    lines.push('#EXT-X-ENDLIST');
    await writeFile(path.join(dir, 'index.m3u8'), `${lines.join('\n')}\n`);
    playlists.push(`v${rung}/index.m3u8`);
    master.push(`#EXT-X-STREAM-INF:BANDWIDTH=${(rung + 1) * 4_000_000},RESOLUTION=${960 * (rung + 1)}x${480 * (rung + 1)}`, `v${rung}/index.m3u8`);
  }
  await writeFile(path.join(folder, 'master.m3u8'), `${master.join('\n')}\n`);
  const privateFolder = path.join(publishedRoot, privateId, publishId);
  await mkdir(privateFolder, { recursive: true });
  await writeFile(path.join(privateFolder, 'seg0.m4s'), randomBytes(4096));
  await chmod(path.join(publishedRoot, privateId), 0o755);
  await chmod(privateFolder, 0o755);
  for (const dir of [path.join(dataDir, 'media'), publishedRoot, path.join(publishedRoot, contentId), folder]) await chmod(dir, 0o755);

  // The mix: 60% whole segments, 25% a Range of 256 KiB-1 MiB inside a segment, 15% playlists.
  for (let i = 0; i < 400; i += 1) {
    const kind = random();
    const base = `/media/${contentId}/${publishId}/`;
    if (kind < 0.6) {
      requests.push({ path: base + segments[Math.floor(random() * segments.length)]!.file });
    } else if (kind < 0.85) {
      const segment = segments[Math.floor(random() * segments.length)]!;
      const length = Math.floor(256 * 1024 + random() * 768 * 1024);
      const start = Math.floor(random() * (segment.size - length));
      requests.push({ path: base + segment.file, range: `bytes=${start}-${start + length - 1}` });
    } else {
      requests.push({ path: base + playlists[Math.floor(random() * playlists.length)]! });
    }
  }
  return { dataDir, contentId, publishedRoot, requests, bytesOnDisk, privatePath: `/media/${privateId}/${publishId}/seg0.m4s` };
}

/** Plain nginx serving the published folder: the baseline. */
function plainNginx(port: number, root: string): string {
  return `
  sendfile on;
  tcp_nopush on;
  open_file_cache max=1000 inactive=60s;
  types { application/vnd.apple.mpegurl m3u8; video/mp4 mp4; video/iso.segment m4s; }
  server {
    listen 127.0.0.1:${port};
    location /media/ {
      alias ${root}/;
      add_header Cache-Control "public, max-age=31536000, immutable";
      add_header Access-Control-Allow-Origin "*";
    }
  }`;
}

interface Measured {
  rps: number;
  mbps: number;
  p50: number;
  p99: number;
  errors: number;
  bytes: number;
  /** Server CPU seconds (all its processes) during the load. */
  serverCpu: number;
  /** CPU seconds of the last of the server's processes (for the shipped configuration: the origin). */
  lastPidCpu: number;
  /** The load generator's (this process) CPU seconds during the load. */
  clientCpu: number;
}

/**
 * A closed-loop HTTP/1.1 keep-alive load generator that counts body bytes without copying them
 * anywhere: autocannon parses multi-megabyte bodies in JavaScript and spent ~20 CPU seconds per GiB
 * here, so it, not the servers, set the pace. Each connection sends one request, reads the status
 * line and headers, counts Content-Length bytes, and sends the next.
 */
async function rawLoad(url: string, requests: Published['requests'], connections: number, seconds: number) {
  const { hostname, port } = new URL(url);
  const latencies: number[] = [];
  let bytes = 0;
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const runConnection = () =>
    new Promise<void>((resolve) => {
      // One reused read buffer per connection (onread): no allocation per chunk received.
      const readBuffer = Buffer.allocUnsafe(1 << 20);
      let header = Buffer.alloc(0);
      let remaining = -1; // body bytes still to come; -1 while reading the header
      let started = 0;
      const socket = net.connect({
        host: hostname,
        port: Number(port),
        onread: {
          buffer: readBuffer,
          callback: (length: number, buffer: Uint8Array) => {
            received(Buffer.from(buffer.buffer, buffer.byteOffset, length));
            return true;
          },
        },
      });
      socket.setNoDelay(true);
      const send = () => {
        if (performance.now() >= deadline) {
          socket.end();
          return;
        }
        const request = requests[next++ % requests.length]!;
        started = performance.now();
        header = Buffer.alloc(0);
        remaining = -1;
        socket.write(`GET ${request.path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n${request.range ? `Range: ${request.range}\r\n` : ''}\r\n`);
      };
      const finish = () => {
        latencies.push(performance.now() - started);
        send();
      };
      const received = (chunk: Buffer) => {
        let body = chunk;
        if (remaining < 0) {
          // The header usually arrives whole at the start of a chunk: copy only when it is split.
          const whole = header.length === 0 ? chunk : Buffer.concat([header, chunk]);
          const end = whole.indexOf('\r\n\r\n');
          if (end < 0) {
            header = Buffer.from(whole);
            return;
          }
          const head = whole.subarray(0, end).toString('latin1');
          const status = Number(head.slice(9, 12));
          const length = /\r\ncontent-length: *(\d+)/i.exec(head);
          if (!length) {
            errors += 1;
            socket.destroy();
            return;
          }
          if (status !== 200 && status !== 206) errors += 1;
          remaining = Number(length[1]);
          body = whole.subarray(end + 4);
        }
        remaining -= body.length;
        bytes += body.length;
        if (remaining === 0) finish();
        else if (remaining < 0) {
          errors += 1; // more bytes than announced: the servers do not pipeline, so this is a fault
          socket.destroy();
        }
      };
      socket.on('error', () => {
        errors += 1;
      });
      socket.on('close', () => resolve());
      socket.on('connect', send);
    });
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, runConnection));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
  return { rps: latencies.length / elapsed, bytesPerSecond: bytes / elapsed, p50: at(0.5), p99: at(0.99), errors, bytes };
}

async function load(url: string, requests: Published['requests'], serverPids: () => Promise<number[]>): Promise<Measured> {
  const pids = await serverPids();
  const before = await Promise.all(pids.map(cpuSeconds));
  const cpuBefore = before.reduce((a, b) => a + b, 0);
  const clientBefore = process.cpuUsage();
  const result = await rawLoad(url, requests, CONNECTIONS, DURATION_SECONDS);
  const after = await Promise.all(pids.map(cpuSeconds));
  const cpuAfter = after.reduce((a, b) => a + b, 0);
  const client = process.cpuUsage(clientBefore);
  return {
    rps: result.rps,
    mbps: result.bytesPerSecond / 2 ** 20,
    p50: result.p50,
    p99: result.p99,
    errors: result.errors,
    bytes: result.bytes,
    serverCpu: cpuAfter - cpuBefore,
    lastPidCpu: after.at(-1)! - before.at(-1)!,
    clientCpu: (client.user + client.system) / 1e6,
  };
}

/** The same bytes from both servers for a whole file and a range: the comparison is fair. */
async function checkSameBytes(originUrl: string, nginxUrl: string, requests: Published['requests']) {
  for (const request of [requests.find((r) => !r.range)!, requests.find((r) => r.range)!]) {
    const headers: Record<string, string> = request.range ? { range: request.range } : {};
    const [a, b] = await Promise.all([originUrl, nginxUrl].map((base) => fetch(`${base}${request.path}`, { headers })));
    const [bodyA, bodyB] = await Promise.all([a!.arrayBuffer(), b!.arrayBuffer()]);
    if (a!.status !== b!.status || !Buffer.from(bodyA).equals(Buffer.from(bodyB))) {
      throw new Error(
        `origin and nginx answer ${request.path} (${request.range ?? 'whole'}) differently: ${a!.status} ${bodyA.byteLength} B vs ${b!.status} ${bodyB.byteLength} B`,
      );
    }
  }
}

async function previousSection(): Promise<string | null> {
  try {
    const text = await readFile(RESULTS_FILE, 'utf8');
    const match = /<!-- bench:media:start -->\n([\s\S]*?)\n<!-- bench:media:end -->/.exec(text);
    return match?.[1] ?? null;
  } catch {
    return null;
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

type ServerName = 'origin' | 'nginx' | 'front';
const SERVER_NAMES: Record<ServerName, string> = {
  origin: 'origin (Node, /media)',
  front: 'docs/nginx-media.conf: nginx sends the bytes, the origin decides (HEAD, cached 1 s)',
  nginx: 'baseline: nginx alone',
};

export async function runMediaBench(): Promise<{ markdown: string }> {
  const nginxBinary = findNginx();
  if (!nginxBinary) {
    const message =
      'media bench skipped: nginx is not installed (the baseline). Install it with `apt-get install nginx-light` (Debian) or set NGINX_PATH; the previous figures in RESULTS.md are kept.';
    console.log(message);
    return { markdown: (await previousSection()) ?? `## Media serving: origin /media vs nginx\n\nNot run yet: ${message}` };
  }
  const published = await publish();
  const nginxDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-bench-nginx-'));
  const frontDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-bench-front-'));
  // nginx's workers run as another user when the bench runs as root: its cache folders must be reachable.
  await Promise.all([chmod(nginxDir, 0o755), chmod(frontDir, 0o755)]);
  let origin: OriginProcess | null = null;
  const nginxes: RunningNginx[] = [];
  try {
    origin = await startOriginProcess({ DATA_DIR: published.dataDir, LOG_LEVEL: 'error' });
    const nginxPort = await freePort();
    const nginx = await startNginx(nginxBinary, nginxDir, nginxPort, plainNginx(nginxPort, published.publishedRoot));
    nginxes.push(nginx);
    const frontPort = await freePort();
    const front = await startNginx(nginxBinary, frontDir, frontPort, await shippedNginxConfig(frontPort, published.publishedRoot, origin.url, frontDir));
    nginxes.push(front);
    const version = await new Promise<string>((resolve) => {
      const child = spawn(nginxBinary, ['-v'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let out = '';
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('close', () => resolve(out.trim().replace(/^nginx version: /, '')));
    });
    await checkSameBytes(origin.url, nginx.url, published.requests);
    await checkSameBytes(origin.url, front.url, published.requests);
    // The shipped configuration keeps private media private: unsigned, it is the origin's 403.
    for (const base of [origin.url, front.url]) {
      const refused = await fetch(`${base}${published.privatePath}`);
      if (refused.status !== 403) throw new Error(`${base}${published.privatePath}: ${refused.status}, expected 403 (private media, unsigned)`);
      await refused.arrayBuffer();
    }
    if (process.env.BENCH_MEDIA_PROBE === '1') {
      for (const [name, base] of [
        ['origin', origin.url],
        ['nginx', nginx.url],
        ['front', front.url],
      ] as const) {
        const times: number[] = [];
        for (const request of published.requests.slice(0, 12)) {
          const started = performance.now();
          const response = await fetch(`${base}${request.path}`, { headers: request.range ? { range: request.range } : {} });
          await response.arrayBuffer();
          times.push(Math.round(performance.now() - started));
        }
        console.log(`probe ${name}: ${times.join(' ')} ms`);
      }
      console.log(await readFile(path.join(frontDir, 'error.log'), 'utf8').catch(() => ''));
    }
    const originPid = origin.child.pid!;
    const pidsOf = {
      origin: () => Promise.resolve([originPid]),
      nginx: async () => [nginx.child.pid!, ...(await childPids(nginx.child.pid!))],
      // Behind the shipped configuration the origin still answers the access subrequests: count both.
      front: async () => [front.child.pid!, ...(await childPids(front.child.pid!)), originPid],
    } satisfies Record<ServerName, () => Promise<number[]>>;
    const urls: Record<ServerName, string> = { origin: origin.url, nginx: nginx.url, front: front.url };
    const order: ServerName[] = ['nginx', 'origin', 'front'];
    // Warm all (page cache, JIT, open file caches, the origin's memory).
    for (const name of order) await load(urls[name], published.requests, pidsOf[name]);
    const rounds: Array<Record<ServerName, Measured>> = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const measured = {} as Record<ServerName, Measured>;
      for (const name of order) measured[name] = await load(urls[name], published.requests, pidsOf[name]);
      rounds.push(measured);
      console.log(
        `media bench round ${round + 1}: ${order.map((name) => `${name} ${measured[name].rps.toFixed(0)}/s ${measured[name].mbps.toFixed(0)} MiB/s p99 ${measured[name].p99} ms`).join('; ')}`,
      );
    }
    const row = (key: ServerName) => {
      const runs = rounds.map((round) => round[key]);
      const bytes = runs.reduce((sum, run) => sum + run.bytes, 0);
      return {
        rps: runs.reduce((sum, run) => sum + run.rps, 0) / runs.length,
        mbps: runs.reduce((sum, run) => sum + run.mbps, 0) / runs.length,
        p50: median(runs.map((run) => run.p50)),
        p99: median(runs.map((run) => run.p99)),
        errors: runs.reduce((sum, run) => sum + run.errors, 0),
        cpuPerGb: runs.reduce((sum, run) => sum + run.serverCpu, 0) / (bytes / 2 ** 30),
        lastPidCpuPerGb: runs.reduce((sum, run) => sum + run.lastPidCpu, 0) / (bytes / 2 ** 30),
        clientCpuPerGb: runs.reduce((sum, run) => sum + run.clientCpu, 0) / (bytes / 2 ** 30),
      };
    };
    const rows = { origin: row('origin'), front: row('front'), nginx: row('nginx') };
    const ratioTo = (name: ServerName, key: 'mbps' | 'rps') => median(rounds.map((round) => round[name][key] / round.nginx[key]));
    const originRatio = { rps: ratioTo('origin', 'rps'), mbps: ratioTo('origin', 'mbps') };
    const frontRatio = { rps: ratioTo('front', 'rps'), mbps: ratioTo('front', 'mbps') };
    const met = originRatio.mbps >= 0.7 && originRatio.rps >= 0.7;
    const n = rows.nginx;
    const lines = [
      '## Media serving: origin /media vs nginx',
      '',
      `Machine: ${machineLine()}. nginx ${version} (Debian package; 1 worker process, sendfile on, open_file_cache). Run: ${new Date().toISOString()}.`,
      `One public, ready content: ${RUNGS} renditions × ${SEGMENTS_PER_RUNG} fMP4 segments of 2-4 MB (${(published.bytesOnDisk / 2 ** 20).toFixed(0)} MiB, in the page cache), init segments and playlists; all servers read the same folder (the origin through its /media route: access check, signed-URL logic, headers, its in-memory hot files; nginx through an \`alias\`; docs/nginx-media.conf as shipped, with this run's ports and folders, which also refused a private file unsigned with the origin's 403).`,
      `Load: a minimal keep-alive HTTP/1.1 client in the bench process (counts body bytes without parsing them; autocannon spent more CPU than the servers), ${CONNECTIONS} connections, ${DURATION_SECONDS} s per load, the servers taking turns ${ROUNDS} times; mix of 400 requests: 60% whole segments, 25% a 256 KiB-1 MiB Range inside a segment (206), 15% playlists. Requests/s and MiB/s: mean of the rounds; p50/p99: median round; ratios: median over rounds of the ratio within a round. Server CPU from /proc (all of the server's processes; for the shipped configuration nginx and the origin), per GiB served.`,
      '',
      '| server | requests/s | MiB/s | p50 ms | p99 ms | server CPU s per GiB | load generator CPU s per GiB | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...(['origin', 'front', 'nginx'] as const).map((name) => {
        const r = rows[name];
        return `| ${SERVER_NAMES[name]} | ${r.rps.toFixed(0)} | ${r.mbps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.cpuPerGb.toFixed(2)} | ${r.clientCpuPerGb.toFixed(2)} | ${r.errors} |`;
      }),
      `| origin / nginx | ${originRatio.rps.toFixed(2)}x | ${originRatio.mbps.toFixed(2)}x | | ${(rows.origin.p99 / Math.max(1, n.p99)).toFixed(2)}x | ${(rows.origin.cpuPerGb / n.cpuPerGb).toFixed(2)}x | | |`,
      `| shipped configuration / nginx | ${frontRatio.rps.toFixed(2)}x | ${frontRatio.mbps.toFixed(2)}x | | ${(rows.front.p99 / Math.max(1, n.p99)).toFixed(2)}x | ${(rows.front.cpuPerGb / n.cpuPerGb).toFixed(2)}x | | |`,
      '',
      `Target: the origin at least 0.7x nginx's throughput: **${met ? 'met' : 'NOT met'}** (${originRatio.rps.toFixed(2)}x requests/s, ${originRatio.mbps.toFixed(2)}x MiB/s). ` +
        `The origin costs ${(rows.origin.cpuPerGb / n.cpuPerGb).toFixed(1)}x nginx's CPU per GiB; where that matters (many viewers without P2P, a CDN miss storm), docs/nginx-media.conf (README, "Serving media with nginx") lets nginx send public media while the origin keeps deciding who may have it: ${frontRatio.mbps.toFixed(2)}x plain nginx's MiB/s here, with the origin's own CPU down to ${rows.front.lastPidCpuPerGb.toFixed(2)} s per GiB (from ${rows.origin.cpuPerGb.toFixed(2)} s serving alone; the rest is nginx and its access subrequests).`,
      '',
      ...rounds.map(
        (round, i) =>
          `Round ${i + 1}: ${order.map((name) => `${name} ${round[name].rps.toFixed(0)}/s ${round[name].mbps.toFixed(0)} MiB/s p99 ${round[name].p99} ms, CPU ${round[name].serverCpu.toFixed(1)} s`).join('; ')}.`,
      ),
    ];
    console.log(lines.join('\n'));
    return { markdown: lines.join('\n') };
  } finally {
    for (const nginx of nginxes) await nginx.stop();
    if (origin) {
      origin.child.kill('SIGTERM');
      await origin.exited;
    }
    await rm(nginxDir, { recursive: true, force: true });
    await rm(frontDir, { recursive: true, force: true });
    await rm(published.dataDir, { recursive: true, force: true });
  }
}
