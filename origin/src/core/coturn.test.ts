// The origin's TURN REST credentials against a real coturn (Debian's `coturn`, `turnserver`) on
// loopback with use-auth-secret: a Chromium peer gathers a relay candidate with a fresh credential
// and none with an expired one. Skipped, saying so, where turnserver is not installed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '@spherecast/shared/testing';
import { startTestTurnServer, turnserverMissing, type TestTurnServer } from '@spherecast/shared/testing/turnserver';
import type { IceServer } from '@spherecast/shared';
import { iceServersFor, type IceConfig } from './ice-servers.ts';

const SKIP = turnserverMissing();
const SECRET = 'spherecast-coturn-test-secret-0123456789';

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

describe('TURN REST credentials against coturn', { skip: SKIP && `${SKIP}: TURN credentials not checked against a real server` }, () => {
  let turn: TestTurnServer;
  let browser: Browser;

  before(async () => {
    turn = await startTestTurnServer(SECRET);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await turn?.close();
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

  const ice = (): IceConfig => ({ stunUrls: [], turnUrls: [turn.url], turnSecret: SECRET, turnTtlSeconds: 3600, relayPolicy: 'fallback' });

  test('a credential the origin issued gets a relay candidate from coturn', async () => {
    const servers = iceServersFor(ice(), '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', new Date());
    const gathered = await gather(servers);
    assert.ok(gathered.types.includes('relay'), `no relay candidate: ${JSON.stringify(gathered)}\n${turn.log().slice(-2000)}`);
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
