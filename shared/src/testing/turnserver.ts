// A real coturn `turnserver` on loopback for tests (Debian's `coturn` package), with the TURN REST
// API (use-auth-secret). Node only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const TURNSERVER_PATH = process.env.TURNSERVER_PATH ?? 'turnserver';

/** False when turnserver runs here; otherwise the reason to skip a test that needs it. */
export function turnserverMissing(): false | string {
  const found = spawnSync(TURNSERVER_PATH, ['--help'], { stdio: 'ignore' }).error === undefined;
  return found ? false : `coturn's turnserver is not installed (apt-get install coturn, or set TURNSERVER_PATH)`;
}

export type TestTurnServer = {
  /** `turn:<address>:<port>?transport=udp` */
  url: string;
  /** `turn:<address>:<port>?transport=tcp` (coturn listens on TCP on the same port). */
  tcpUrl: string;
  /** `stun:<address>:<port>` */
  stunUrl: string;
  port: number;
  /** What it printed so far (for failure messages). */
  log(): string;
  close(): Promise<void>;
};

/**
 * A TURN REST credential as the origin makes it (origin/src/core/ice-servers.ts) and coturn checks it with
 * `use-auth-secret`: username `<expiry unix seconds>:<name>`, password base64(HMAC-SHA1(secret, username)),
 * valid `ttlSeconds` from now.
 */
export function turnRestCredential(secret: string, name: string, ttlSeconds: number): { username: string; credential: string } {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${name}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** A UDP port free right now on 127.0.0.1. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

export type TestTurnServerOptions = {
  /**
   * Address to listen and relay on. @default 127.0.0.1 (then loopback peers are allowed, so two pages
   * on this machine can talk through it)
   */
  address?: string;
  /** @default a free UDP port on 127.0.0.1, or 3478 with `address` */
  port?: number;
  /**
   * Runs turnserver through this command, e.g. `['ip', 'netns', 'exec', 'ns1']` to start it in a
   * network namespace (the command must exec turnserver, so that SIGTERM reaches it).
   */
  prefix?: readonly string[];
  /**
   * Peer address ranges the relay refuses (coturn `denied-peer-ip`, e.g. `10.0.0.0-10.255.255.255`), as
   * the README's coturn configuration has for the operator's own networks.
   */
  deniedPeerIps?: readonly string[];
  /** How many relay ports (one per allocation: per TURN URL of each peer connection). @default 100 */
  relayPorts?: number;
};

/** Starts turnserver with `use-auth-secret` + `static-auth-secret=secret`, listening and relaying on one address. */
export async function startTestTurnServer(secret: string, options: TestTurnServerOptions = {}): Promise<TestTurnServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'spherecast-coturn-'));
  const address = options.address ?? '127.0.0.1';
  const port = options.port ?? (options.address === undefined ? await freeUdpPort() : 3478);
  const relayPorts = options.relayPorts ?? 100;
  const relayBase = 50_000 + Math.floor(Math.random() * Math.floor((15_000 - relayPorts) / 100)) * 100;
  const [command, ...prefixArgs] = [...(options.prefix ?? []), TURNSERVER_PATH];
  let output = '';
  const child: ChildProcess = spawn(
    command ?? TURNSERVER_PATH,
    [
      ...prefixArgs,
      '-n', // no configuration file: everything is on this line
      `--listening-ip=${address}`,
      `--relay-ip=${address}`,
      `--listening-port=${port}`,
      `--min-port=${relayBase}`,
      `--max-port=${relayBase + relayPorts - 1}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=spherecast.test',
      ...(address === '127.0.0.1' ? ['--allow-loopback-peers'] : []),
      ...(options.deniedPeerIps ?? []).map((range) => `--denied-peer-ip=${range}`),
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--log-file=stdout',
      '--simple-log',
      `--pidfile=${path.join(dir, 'turnserver.pid')}`,
      `--userdb=${path.join(dir, 'turndb.sqlite')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (/Total General servers/.test(output)) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`turnserver exited (${code}):\n${output}`)));
      setTimeout(() => reject(new Error(`turnserver did not start in 15 s:\n${output}`)), 15_000).unref();
    });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url: `turn:${address}:${port}?transport=udp`,
    tcpUrl: `turn:${address}:${port}?transport=tcp`,
    stunUrl: `stun:${address}:${port}`,
    port,
    log: () => output,
    close,
  };
}
