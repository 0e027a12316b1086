// createPlayer in real Chromium against a real HLS ladder (ffmpeg), a static HTTP server and a
// WebTorrent tracker: peers share segments over WebRTC, bad peer data is rejected, a missing tracker
// does not hold playback up.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestTurnServer, turnRestCredential, turnserverMissing } from '../testing/turnserver.ts';
import type { TestLadder } from './fixtures/hls-ladder.ts';
import { startPlayerBed, type PlayerBed } from './fixtures/player-bed.ts';
import type { Player, PlayerError, PlayerStats } from './index.ts';

type Snapshot = PlayerStats & { currentTime: number; p2pActive: boolean };
declare global {
  interface Window {
    playerTest: { player: Player; errors: PlayerError[]; rejected: string[]; snapshot(): Snapshot };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('createPlayer in Chromium', () => {
  let bed: PlayerBed;
  let ladder: TestLadder;

  before(async () => {
    bed = await startPlayerBed('player', 24);
    ladder = bed.ladder;
  });

  after(async () => {
    await bed?.close();
  });

  async function openViewer(params: Record<string, string>, prepare?: (page: Page) => void | Promise<void>): Promise<Page> {
    const context = await bed.browser.newContext();
    const page = await context.newPage();
    await prepare?.(page);
    await page.goto(bed.viewerUrl(params));
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    return page;
  }

  const snapshot = (page: Page): Promise<Snapshot> => page.evaluate(() => window.playerTest.snapshot());

  async function waitForTime(page: Page, seconds: number, timeoutMs: number): Promise<Snapshot> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await snapshot(page);
      if (s.currentTime >= seconds) return s;
      if (Date.now() > deadline) throw new Error(`playback reached only ${s.currentTime.toFixed(1)} s: ${JSON.stringify(s)}`);
      await sleep(250);
    }
  }

  test('a viewer joining later gets segments from an earlier one, checked against the hash list', async () => {
    const first = await openViewer({});
    await sleep(3000);
    const second = await openViewer({});
    const late = await waitForTime(second, 14, 40_000);
    const early = await snapshot(first);
    await first.context().close();
    await second.context().close();
    assert.ok(late.p2pActive);
    assert.ok(late.p2pBytes > 0, `second viewer got nothing from peers: ${JSON.stringify(late)}`);
    assert.ok(early.uploadedBytes > 0, `first viewer uploaded nothing: ${JSON.stringify(early)}`);
    assert.equal(late.rejectedSegments, 0);
    assert.equal(late.stalls, 0, `second viewer stalled: ${JSON.stringify(late)}`);
  });

  test('the ICE servers and relay policy reach RTCPeerConnection, and a LAN pair is counted as host connections from getStats', async () => {
    // Unreachable STUN/TURN on loopback (port 9, discard): gathering them fails, host candidates still connect.
    const iceServers = [
      { urls: ['stun:127.0.0.1:9'] },
      { urls: ['turn:127.0.0.1:9?transport=udp'], username: '4102444800:viewer-1', credential: 'bm90IGEgcmVhbCBjcmVkZW50aWFs' },
    ];
    const recordConfigurations = async (page: Page): Promise<void> => {
      await page.addInitScript(() => {
        const Original = window.RTCPeerConnection;
        const seen: RTCConfiguration[] = [];
        Object.assign(window, { rtcConfigurations: seen });
        window.RTCPeerConnection = class extends Original {
          constructor(configuration?: RTCConfiguration) {
            super(configuration);
            seen.push(this.getConfiguration());
          }
        };
      });
    };
    // Chromium reports a STUN server's missing username and credential as ''.
    const configurations = async (page: Page) =>
      (await page.evaluate(() => (window as unknown as { rtcConfigurations: RTCConfiguration[] }).rtcConfigurations)).map((config) => ({
        ...config,
        iceServers: (config.iceServers ?? []).map((server) => Object.fromEntries(Object.entries(server).filter(([, value]) => value !== ''))),
      }));
    const first = await openViewer({ ice: JSON.stringify(iceServers) }, recordConfigurations);
    await sleep(3000);
    const second = await openViewer({ ice: JSON.stringify(iceServers), relay: 'off' }, recordConfigurations);
    // Each page reads its connections' stats every 2 s: wait until both have.
    const deadline = Date.now() + 40_000;
    let late = await snapshot(second);
    let early = await snapshot(first);
    while ((late.connections.host === 0 || early.connections.host === 0) && Date.now() < deadline) {
      await sleep(500);
      [late, early] = await Promise.all([snapshot(second), snapshot(first)]);
    }
    const firstConfigs = await configurations(first);
    const secondConfigs = await configurations(second);
    await first.context().close();
    await second.context().close();
    assert.ok(late.connections.host > 0, `no host connection counted: ${JSON.stringify(late)}`);
    assert.equal(late.connections.relay + late.connections.srflx, 0, `loopback peers need no NAT mapping or relay: ${JSON.stringify(late.connections)}`);
    assert.ok(early.connections.host > 0, `the first viewer counted no host connection: ${JSON.stringify(early)}`);
    assert.ok(late.p2pBytes > 0, `the pair shared nothing: ${JSON.stringify(late)}`);
    assert.ok(firstConfigs.length > 0 && secondConfigs.length > 0, 'both pages opened peer connections');
    for (const config of firstConfigs) {
      assert.deepEqual(config.iceServers, iceServers, 'relay policy fallback: STUN and TURN as handed out');
      assert.equal(config.iceTransportPolicy, 'all');
    }
    for (const config of secondConfigs) assert.deepEqual(config.iceServers, [iceServers[0]], 'relay policy off: no TURN server reaches WebRTC');
  });

  test(
    'relay policy always: two pages share segments only through a real coturn relay, and the stats count relayed connections',
    { skip: turnserverMissing() },
    async () => {
      const secret = 'player-test-static-auth-secret-0123';
      const turn = await startTestTurnServer(secret);
      try {
        const credentialFor = (viewer: string) => ({ urls: [turn.url], ...turnRestCredential(secret, viewer, 3600) });
        const first = await openViewer({ ice: JSON.stringify([credentialFor('viewer-a')]), relay: 'always' });
        await sleep(3000);
        const second = await openViewer({ ice: JSON.stringify([credentialFor('viewer-b')]), relay: 'always' });
        const deadline = Date.now() + 40_000;
        let late = await snapshot(second);
        while ((late.connections.relay === 0 || late.p2pBytes === 0) && Date.now() < deadline) {
          await sleep(500);
          late = await snapshot(second);
        }
        const early = await snapshot(first);
        await first.context().close();
        await second.context().close();
        assert.ok(late.connections.relay > 0, `no relayed connection counted: ${JSON.stringify(late)}\n${turn.log().slice(-1500)}`);
        assert.equal(
          late.connections.host + late.connections.srflx + late.connections.prflx,
          0,
          `iceTransportPolicy relay allows nothing else: ${JSON.stringify(late.connections)}`,
        );
        assert.ok(late.p2pBytes > 0, `nothing came through the relay: ${JSON.stringify(late)}`);
        assert.ok(early.uploadedBytes > 0, `the first viewer sent nothing through the relay: ${JSON.stringify(early)}`);
      } finally {
        await turn.close();
      }
    },
  );

  test('with the tracker unreachable playback starts over HTTP without waiting for peers', async () => {
    const page = await openViewer({ trackers: 'ws://127.0.0.1:9' });
    const s = await waitForTime(page, 4, 20_000);
    const errors = await page.evaluate(() => window.playerTest.errors.map((e) => e.code));
    await page.context().close();
    assert.ok(s.startupMs !== null && s.startupMs < 5000, `start-up took ${s.startupMs} ms`);
    assert.ok(s.httpBytes > 0);
    assert.equal(s.p2pBytes, 0);
    assert.ok(!errors.includes('playback'), `fatal errors: ${errors.join(',')}`);
  });

  test('while later segments wait for peers, the first one goes over HTTP at once and playback starts', async () => {
    // Segments beyond the playhead's wait for peers this long (10 min): before the player took the
    // first segment out of the wait, p2p-media-loader held it too and nothing played in that time.
    const page = await openViewer({ core: JSON.stringify({ httpDownloadInitialTimeoutMs: 600_000 }), swarm: `alone-${Date.now()}` });
    const s = await waitForTime(page, 2, 30_000);
    await page.context().close();
    assert.ok(s.p2pActive);
    assert.ok(s.startupMs !== null, 'playback started');
    assert.ok(s.httpBytes > 0);
    assert.equal(s.p2pBytes, 0, 'a lone viewer has no peers');
  });

  test('the hash list loads beside playback: start-up does not wait for it, and without it P2P is switched off', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const page = await openViewer({ swarm: `no-hashes-${Date.now()}` }, async (p) => {
      await p.route(`**/${ladder.hashes}`, async (route) => {
        await held;
        await route.abort('failed');
      });
    });
    // Playing while the list is still on its way.
    const playing = await waitForTime(page, 2, 30_000);
    assert.ok(playing.p2pActive, 'P2P is on while the list loads');
    release();
    await page.waitForFunction(() => window.playerTest.errors.some((e) => e.code === 'hashes-unavailable'), undefined, { timeout: 10_000 });
    const off = await snapshot(page);
    await page.context().close();
    assert.equal(off.p2pActive, false);
    assert.equal(off.p2pBytes, 0);
  });

  test('a corrupted segment from a peer is rejected and fetched again over HTTP', async () => {
    // The seeder receives corrupted media segments from "the CDN" and, with its check off, relays them.
    const seeder = await openViewer({ validate: '0' }, async (page) => {
      await page.route('**/*.m4s', async (route) => {
        const response = await route.fetch();
        const body = Buffer.from(await response.body());
        // Flip bytes near the end (inside mdat): still parses, but the hash no longer matches.
        for (let i = Math.max(0, body.length - 256); i < body.length; i += 1) body[i] = (body[i] ?? 0) ^ 0xff;
        await route.fulfill({ response, body });
      });
    });
    await sleep(3000);
    const victimRequests: string[] = [];
    const victim = await openViewer({}, (page) => {
      page.on('request', (request) => {
        if (request.url().endsWith('.m4s')) victimRequests.push(new URL(request.url()).pathname);
      });
    });
    // Play to the end: every rejected segment must have been fetched over HTTP by then.
    const s = await waitForTime(victim, ladder.segmentCount - 1, 60_000);
    const rejected = await victim.evaluate(() => window.playerTest.rejected.map((u) => new URL(u).pathname));
    const errors = await victim.evaluate(() => window.playerTest.errors.map((e) => e.code));
    await seeder.context().close();
    await victim.context().close();
    assert.ok(rejected.length > 0, `victim never rejected a segment: ${JSON.stringify(s)}`);
    assert.equal(s.rejectedSegments, rejected.length);
    for (const pathname of rejected) assert.ok(victimRequests.includes(pathname), `${pathname} was not fetched over HTTP after rejection`);
    assert.equal(s.p2pBytes, 0, 'no corrupted peer bytes were accepted');
    assert.ok(!errors.includes('media') && !errors.includes('playback'), `victim errors: ${errors.join(',')}`);
  });
});
