// How long the player's peer connections wait for ICE gathering before their (non-trickled) offer or
// answer goes out, and which ICE servers later connections get once UDP is known to work or to be
// blocked (peer-connections.ts). Real Chromium against a real coturn on loopback; "UDP blocked" is a
// local UDP socket that reads STUN and TURN requests and never answers, as a firewall that drops them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { launchChromium } from '../testing/chromium.ts';
import { startTestTurnServer, turnRestCredential, turnserverMissing, type TestTurnServer } from '../testing/turnserver.ts';
import { serversForVerdict, urlTransport } from './peer-connections.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECRET = 'ice-gathering-test-static-auth-secret';

test('urlTransport: stun and turn default to UDP, transport=tcp and turns: are TCP', () => {
  assert.equal(urlTransport('stun:198.51.100.1:3478'), 'udp');
  assert.equal(urlTransport('turn:198.51.100.1:3478'), 'udp');
  assert.equal(urlTransport('turn:198.51.100.1:3478?transport=udp'), 'udp');
  assert.equal(urlTransport('turn:198.51.100.1:3478?transport=tcp'), 'tcp');
  assert.equal(urlTransport('turns:turn.example.com:5349?transport=tcp'), 'tcp');
  assert.equal(urlTransport('turns:turn.example.com:5349'), 'tcp');
});

test('serversForVerdict keeps the UDP servers when UDP works, the TCP/TLS ones when it is blocked, all while unknown', () => {
  const servers: RTCIceServer[] = [
    { urls: 'stun:s:3478' },
    { urls: ['turn:t:3478?transport=udp', 'turn:t:3478?transport=tcp', 'turns:t:5349'], username: 'u', credential: 'c' },
  ];
  assert.deepEqual(serversForVerdict(servers, 'unknown'), servers);
  assert.deepEqual(serversForVerdict(servers, 'works'), [{ urls: ['stun:s:3478'] }, { urls: ['turn:t:3478?transport=udp'], username: 'u', credential: 'c' }]);
  assert.deepEqual(serversForVerdict(servers, 'blocked'), [{ urls: ['turn:t:3478?transport=tcp', 'turns:t:5349'], username: 'u', credential: 'c' }]);
  // Nothing would be left: the servers as they are (a STUN-only setup where UDP is blocked changes nothing).
  assert.deepEqual(serversForVerdict([{ urls: 'stun:s:3478' }], 'blocked'), [{ urls: 'stun:s:3478' }]);
});

/** What the page reports about one connection's gathering. */
type Gathered = { endedWhile: RTCIceGatheringState | 'never'; relayInOffer: boolean; udp: string; nextUrls: string[] };

describe('ICE gathering deadline and transport verdict in Chromium against a real coturn', { skip: turnserverMissing() }, () => {
  let turn: TestTurnServer;
  let silent: Socket;
  let silentPort: number;
  let vite: ViteDevServer;
  let browser: Browser;
  let origin: string;

  before(async () => {
    turn = await startTestTurnServer(SECRET);
    silent = createSocket('udp4');
    silent.on('message', () => undefined);
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    silentPort = silent.address().port;
    vite = await createServer({ configFile: false, root: here, logLevel: 'silent', server: { host: '127.0.0.1', port: 0, hmr: false, watch: null } });
    await vite.listen();
    const url = vite.resolvedUrls?.local[0];
    assert.ok(url);
    origin = url;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await vite?.close();
    silent?.close();
    await turn?.close();
  });

  const credentials = (): { username: string; credential: string } => turnRestCredential(SECRET, 'gathering-test', 3600);

  /**
   * In a fresh page: a connection of a player's registry with these servers makes an offer; reports
   * in which gathering state the end-of-candidates reached `onicecandidate` (where simple-peer sends
   * its offer), whether the offer then held a relay candidate, the UDP verdict once the registry has
   * one (or after gathering completed), and the URLs a second connection of the same registry gets.
   */
  async function gather(iceServers: RTCIceServer[], policy: RTCIceTransportPolicy): Promise<Gathered> {
    const context = await browser.newContext();
    const page: Page = await context.newPage();
    // tsx (esbuild keepNames) wraps the named functions inside page.evaluate's callback in `__name()`.
    await page.addInitScript({ content: 'window.__name = (target) => target;' });
    try {
      // Any document of the dev server's origin can import the module: the module's own URL is one.
      await page.goto(new URL('peer-connections.ts', origin).href);
      return await page.evaluate(
        async ({ iceServers, policy, modulePath }) => {
          const mod = (await import(modulePath)) as typeof import('./peer-connections.ts');
          const registry = new mod.PeerConnectionRegistry();
          const pc = new RTCPeerConnection(registry.tagged({ iceServers, iceTransportPolicy: policy }));
          pc.createDataChannel('probe');
          const ended = new Promise<{ endedWhile: RTCIceGatheringState | 'never'; relayInOffer: boolean }>((resolve) => {
            pc.onicecandidate = (event) => {
              if (!event.candidate) resolve({ endedWhile: pc.iceGatheringState, relayInOffer: / typ relay /.test(pc.localDescription?.sdp ?? '') });
            };
            // Generous: only for a report instead of a hang when no end ever comes.
            setTimeout(() => resolve({ endedWhile: 'never', relayInOffer: false }), 60_000);
          });
          await pc.setLocalDescription(await pc.createOffer());
          const result = await ended;
          // The verdict comes with the end of gathering or GATHER_VERDICT_MS after it began.
          await new Promise<void>((resolve) => {
            const check = (): void => (registry.udp !== 'unknown' ? resolve() : void setTimeout(check, 100));
            check();
            setTimeout(resolve, 60_000);
          });
          const next = new RTCPeerConnection(registry.tagged({ iceServers, iceTransportPolicy: policy }));
          const nextUrls = (next.getConfiguration().iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
          pc.close();
          next.close();
          return { ...result, udp: registry.udp, nextUrls };
        },
        { iceServers, policy, modulePath: '/peer-connections.ts' },
      );
    } finally {
      await context.close();
    }
  }

  test('where UDP is dropped, the offer goes out with the TURN-over-TCP relay while the browser still gathers, and later connections skip UDP', async () => {
    const { username, credential } = credentials();
    const result = await gather(
      [{ urls: `stun:127.0.0.1:${silentPort}` }, { urls: [`turn:127.0.0.1:${silentPort}?transport=udp`, turn.tcpUrl], username, credential }],
      'all',
    );
    assert.equal(result.endedWhile, 'gathering', `the offer waited for the end of gathering: ${JSON.stringify(result)}`);
    assert.ok(result.relayInOffer, `the offer had no relay candidate: ${JSON.stringify(result)}`);
    assert.equal(result.udp, 'blocked');
    assert.deepEqual(result.nextUrls, [turn.tcpUrl]);
  });

  test('with relays only (policy always) and no relay coming, the offer still goes out at the deadline', async () => {
    const { username, credential } = credentials();
    const result = await gather([{ urls: `turn:127.0.0.1:${silentPort}?transport=udp`, username, credential }], 'relay');
    assert.equal(result.endedWhile, 'gathering', `no end of candidates before gathering ended: ${JSON.stringify(result)}`);
    assert.equal(result.relayInOffer, false);
  });

  test('where UDP works, later connections leave TURN over TCP out', async () => {
    const { username, credential } = credentials();
    const result = await gather([{ urls: [turn.url, turn.tcpUrl], username, credential }], 'all');
    assert.ok(result.relayInOffer, JSON.stringify(result));
    assert.equal(result.udp, 'works');
    assert.deepEqual(result.nextUrls, [turn.url]);
  });
});
