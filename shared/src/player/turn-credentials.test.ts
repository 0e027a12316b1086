// The player against a real coturn relay (loopback, TURN REST credentials as the origin makes them):
// credentials expire and a long-watching player asks for fresh ones; relay policy `off` uses no
// relayed pair even when the other viewer offers nothing but relay candidates.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestTurnServer, turnRestCredential, turnserverMissing, type TestTurnServer } from '../testing/turnserver.ts';
import { iceServersExpireAt } from './ice-credentials.ts';
import { withoutRelayCandidates } from './peer-connections.ts';
import { startPlayerBed, type PlayerBed } from './fixtures/player-bed.ts';
import type { PlayerStats } from './create-player.ts';

const SECRET = 'turn-credentials-test-static-auth-secret';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Snapshot = PlayerStats & { currentTime: number };
type TestWindow = { playerTest: { snapshot(): Snapshot; errors: Array<{ code: string }> }; connectedPairs?: number };

test('iceServersExpireAt reads the earliest TURN REST expiry from the usernames', () => {
  assert.equal(iceServersExpireAt([{ urls: 'stun:a' }]), null);
  assert.equal(
    iceServersExpireAt([
      { urls: 'stun:a' },
      { urls: 'turn:a', username: '1900000000:viewer-1', credential: 'x' },
      { urls: 'turn:b', username: '1800000000:viewer-1', credential: 'x' },
    ]),
    1_800_000_000_000,
  );
  assert.equal(iceServersExpireAt([{ urls: 'turn:a', username: 'static-user', credential: 'x' }]), null);
});

test('withoutRelayCandidates drops relay candidate lines and keeps the rest of the SDP', () => {
  const sdp = [
    'v=0',
    'a=candidate:1 1 udp 2122260223 10.0.0.2 5000 typ host generation 0',
    'a=candidate:2 1 udp 41885439 198.51.100.1 50000 typ relay raddr 0.0.0.0 rport 0 generation 0',
    'a=candidate:3 1 udp 1686052607 198.51.100.11 5000 typ srflx raddr 10.0.0.2 rport 5000',
    '',
  ].join('\r\n');
  assert.equal(
    withoutRelayCandidates(sdp),
    [
      'v=0',
      'a=candidate:1 1 udp 2122260223 10.0.0.2 5000 typ host generation 0',
      'a=candidate:3 1 udp 1686052607 198.51.100.11 5000 typ srflx raddr 10.0.0.2 rport 5000',
      '',
    ].join('\r\n'),
  );
});

describe('TURN credentials and relay policy against a real coturn', { skip: turnserverMissing() }, () => {
  let bed: PlayerBed;
  let turn: TestTurnServer;

  before(async () => {
    bed = await startPlayerBed('turncred', 30);
  });

  after(async () => {
    await bed?.close();
  });

  /** A TURN REST credential as the origin makes it, valid `ttlSeconds` from now. */
  const turnServer = (viewer: string, ttlSeconds: number): RTCIceServer => ({ urls: [turn.url], ...turnRestCredential(SECRET, viewer, ttlSeconds) });

  async function openViewer(params: Record<string, string>, fresh?: () => RTCIceServer[]): Promise<{ page: Page; refreshes: () => number }> {
    const context = await bed.browser.newContext();
    const page = await context.newPage();
    let refreshes = 0;
    if (fresh) {
      await page.exposeFunction('freshIceServers', () => {
        refreshes += 1;
        return fresh();
      });
    }
    // Counts this page's peer connections that reached `connected` (whatever the player does with them later).
    await page.addInitScript(() => {
      const Original = window.RTCPeerConnection;
      const scope = window as unknown as { connectedPairs: number };
      scope.connectedPairs = 0;
      window.RTCPeerConnection = class extends Original {
        constructor(configuration?: RTCConfiguration) {
          super(configuration);
          this.addEventListener('connectionstatechange', () => {
            if (this.connectionState === 'connected') scope.connectedPairs += 1;
          });
        }
      };
    });
    await page.goto(bed.viewerUrl(params));
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    return { page, refreshes: () => refreshes };
  }

  const snapshot = (page: Page): Promise<Snapshot & { connectedPairs: number }> =>
    page.evaluate(() => {
      const scope = window as unknown as TestWindow;
      return { ...scope.playerTest.snapshot(), connectedPairs: scope.connectedPairs ?? 0 };
    });

  async function waitUntil(page: Page, done: (s: Snapshot & { connectedPairs: number }) => boolean, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    let s = await snapshot(page);
    while (!done(s) && Date.now() < deadline) {
      await sleep(500);
      s = await snapshot(page);
    }
    return s;
  }

  // A coturn of its own per test: relay allocations of one test's closed pages must not hold up the next.
  beforeEach(async () => {
    turn = await startTestTurnServer(SECRET);
  });
  afterEach(async () => {
    await turn?.close();
  });

  test('past its TTL a credential is refused by coturn, and a player that refreshes its ICE servers still reaches a later viewer through the relay', async () => {
    const TTL = 4;
    // Two swarms side by side: in one the first viewer refreshes its credentials, in the other it keeps the first ones.
    const kept = await openViewer({ swarm: 'kept', relay: 'always', ice: JSON.stringify([turnServer('kept-first', TTL)]) });
    const refreshed = await openViewer({ swarm: 'refreshed', relay: 'always', ice: JSON.stringify([turnServer('fresh-first', TTL)]), refresh: '1' }, () => [
      turnServer('fresh-first', TTL),
    ]);
    // Both first credentials are dead now.
    await sleep((TTL + 2) * 1000);
    const keptLate = await openViewer({ swarm: 'kept', relay: 'always', ice: JSON.stringify([turnServer('kept-late', 3600)]) });
    const refreshedLate = await openViewer({ swarm: 'refreshed', relay: 'always', ice: JSON.stringify([turnServer('fresh-late', 3600)]) });
    const fresh = await waitUntil(refreshedLate.page, (s) => s.p2pBytes > 0, 40_000);
    // The same time for the other pair (it had the same chance to connect).
    const stale = await snapshot(keptLate.page);
    const keptFirst = await snapshot(kept.page);
    const log = turn.log();
    for (const viewer of [kept, refreshed, keptLate, refreshedLate]) await viewer.page.context().close();

    assert.ok(refreshed.refreshes() >= 2, `the player asked for fresh ICE servers ${refreshed.refreshes()} times in ${TTL + 2} s with a ${TTL} s TTL`);
    assert.ok(fresh.p2pBytes > 0, `the viewer that refreshed its credentials sent nothing through the relay: ${JSON.stringify(fresh)}`);
    assert.ok(fresh.connections.relay > 0 || fresh.connectedPairs > 0, `no relayed connection: ${JSON.stringify(fresh)}`);
    // coturn refused the expired credential: the viewer that kept it got no relay, so the pair never connected.
    assert.equal(stale.p2pBytes, 0, `a pair connected through an expired TURN credential: ${JSON.stringify(stale)}`);
    assert.equal(keptFirst.uploadedBytes, 0, `the viewer with the expired credential uploaded: ${JSON.stringify(keptFirst)}`);
    assert.match(log, /Cannot find credentials of user <\d+:kept-first>/, `coturn logged no refusal:\n${log.slice(-2000)}`);
  });

  test('relay policy off: no relayed pair connects, even with a viewer that offers only relay candidates', async () => {
    // The seeder goes through the relay only. First a relay-only control viewer reaches it (so the relay works and the seeder shares).
    const seeder = await openViewer({ swarm: 'relay-off', relay: 'always', ice: JSON.stringify([turnServer('seeder', 3600)]) });
    await sleep(2000);
    const control = await openViewer({ swarm: 'relay-off', relay: 'always', ice: JSON.stringify([turnServer('control', 3600)]) });
    const reached = await waitUntil(control.page, (s) => s.p2pBytes > 0, 40_000);
    // Then the viewer under test: the TURN server is in its list, but relays are off. Every path to the others goes through a relay.
    const viewer = await openViewer({ swarm: 'relay-off', relay: 'off', ice: JSON.stringify([turnServer('viewer', 3600)]) });
    const s = await waitUntil(viewer.page, (v) => v.currentTime >= 10, 40_000);
    for (const page of [seeder, viewer, control]) await page.page.context().close();

    assert.ok(reached.p2pBytes > 0, `the control viewer (relay always) got nothing through the relay: ${JSON.stringify(reached)}`);
    assert.equal(s.connectedPairs, 0, `a peer connection of the relay-off viewer connected (it could only have been relayed): ${JSON.stringify(s)}`);
    assert.equal(s.connections.relay, 0);
    assert.ok(s.currentTime >= 10 && s.stalls === 0, `the relay-off viewer did not play on over HTTP: ${JSON.stringify(s)}`);
  });
});
