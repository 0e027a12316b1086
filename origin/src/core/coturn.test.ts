// The origin's TURN REST credentials against a real coturn (Debian's `coturn`, `turnserver`) on
// loopback with use-auth-secret: a Chromium peer gathers a relay candidate with a fresh credential
// and none with an expired one. Skipped, saying so, where turnserver is not installed.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '@spherecast/shared/testing';
import type { IceServer } from '@spherecast/shared';
import { iceServersFor, type IceConfig } from './ice-servers.ts';

const TURNSERVER = process.env.TURNSERVER_PATH ?? 'turnserver';
const haveTurnserver = spawnSync(TURNSERVER, ['--help'], { stdio: 'ignore' }).error === undefined;
const SKIP = haveTurnserver ? false : `coturn's turnserver is not installed (apt-get install coturn, or set TURNSERVER_PATH): TURN credentials not checked against a real server`;
const SECRET = 'spherecast-coturn-test-secret-0123456789';

/** A UDP port free right now on 127.0.0.1. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

type Gathered = { types: string[]; errors: { errorCode: number; errorText: string }[] };

/** The part of the browser's RTCPeerConnection used here (the origin is compiled without the DOM library). */
interface PeerConnectionLike {
  iceGatheringState: string;
  addEventListener(type: 'icecandidateerror', listener: (event: { errorCode: number; errorText: string }) => void): void;
  addEventListener(type: 'icecandidate', listener: (event: { candidate: { type: string | null } | null }) => void): void;
  addEventListener(type: 'icegatheringstatechange', listener: () => void): void;
  createDataChannel(label: string): unknown;
  createOffer(): Promise<unknown>;
  setLocalDescription(description: unknown): Promise<void>;
  close(): void;
}
type PeerConnectionConstructor = new (configuration: { iceServers: IceServer[]; iceTransportPolicy: 'relay' }) => PeerConnectionLike;

describe('TURN REST credentials against coturn', { skip: SKIP }, () => {
  let dir: string;
  let turn: ChildProcess;
  let log = '';
  let port: number;
  let browser: Browser;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spherecast-coturn-'));
    port = await freeUdpPort();
    const relayBase = 50_000 + Math.floor(Math.random() * 150) * 100;
    turn = spawn(
      TURNSERVER,
      [
        '-n', // no configuration file: everything is on this line
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${port}`,
        `--min-port=${relayBase}`,
        `--max-port=${relayBase + 99}`,
        '--use-auth-secret',
        `--static-auth-secret=${SECRET}`,
        '--realm=spherecast.test',
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
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        log += chunk.toString();
        if (/Total General servers/.test(log)) resolve();
      };
      turn.stdout?.on('data', onData);
      turn.stderr?.on('data', onData);
      turn.once('exit', (code) => reject(new Error(`turnserver exited (${code}):\n${log}`)));
      setTimeout(() => reject(new Error(`turnserver did not start in 15 s:\n${log}`)), 15_000).unref();
    });
    await ready;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (turn && turn.exitCode === null) {
      const exited = new Promise((resolve) => turn.once('exit', resolve));
      turn.kill('SIGTERM');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Gathers relay-only candidates in a fresh page with the given ICE servers. */
  async function gather(iceServers: IceServer[]): Promise<Gathered> {
    const page = await browser.newPage();
    try {
      return await page.evaluate(async (servers) => {
        const PeerConnection = (globalThis as unknown as { RTCPeerConnection: PeerConnectionConstructor }).RTCPeerConnection;
        const pc = new PeerConnection({ iceServers: servers, iceTransportPolicy: 'relay' });
        const types: string[] = [];
        const errors: { errorCode: number; errorText: string }[] = [];
        pc.addEventListener('icecandidateerror', (event) => errors.push({ errorCode: event.errorCode, errorText: event.errorText }));
        const done = new Promise<void>((resolve) => {
          pc.addEventListener('icegatheringstatechange', () => {
            if (pc.iceGatheringState === 'complete') resolve();
          });
          setTimeout(resolve, 10_000);
        });
        pc.addEventListener('icecandidate', (event) => {
          if (event.candidate?.type) types.push(event.candidate.type);
        });
        pc.createDataChannel('probe');
        await pc.setLocalDescription(await pc.createOffer());
        await done;
        pc.close();
        return { types, errors };
      }, iceServers);
    } finally {
      await page.close();
    }
  }

  const ice = (): IceConfig => ({ stunUrls: [], turnUrls: [`turn:127.0.0.1:${port}?transport=udp`], turnSecret: SECRET, turnTtlSeconds: 3600, relayPolicy: 'fallback' });

  test('a credential the origin issued gets a relay candidate from coturn', async () => {
    const servers = iceServersFor(ice(), '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', new Date());
    const gathered = await gather(servers);
    assert.ok(gathered.types.includes('relay'), `no relay candidate: ${JSON.stringify(gathered)}\n${log.slice(-2000)}`);
  });

  test('an expired credential (issued 2 h ago with a 1 h TTL) is refused: no relay candidate', async () => {
    const servers = iceServersFor(ice(), 'viewer-expired', new Date(Date.now() - 2 * 3600_000));
    const gathered = await gather(servers);
    assert.deepEqual(gathered.types, [], `got candidates with an expired credential: ${JSON.stringify(gathered)}`);
    assert.ok(gathered.errors.length > 0, 'Chromium reported no ICE candidate error');
  });

  test('a credential signed with another secret is refused', async () => {
    const servers = iceServersFor({ ...ice(), turnSecret: 'not-the-static-auth-secret-of-coturn' }, 'viewer-forged', new Date());
    const gathered = await gather(servers);
    assert.deepEqual(gathered.types, [], `got candidates with a forged credential: ${JSON.stringify(gathered)}`);
  });
});
