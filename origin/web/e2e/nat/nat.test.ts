// P2P across real networks: viewers in their own Linux network namespaces behind NAT routers
// (nftables), the tracker, coturn and the stream on a "public" network (nat-lab.ts, nat-swarm.ts).
// Two endpoint-independent ("full cone") NATs, two symmetric NATs, one NAT that blocks UDP; headless
// Chromium in each viewer's namespace plays the same stream with the shared player. The ICE servers
// come from the origin's own code (iceServersFor) with TURN REST credentials. Skipped, saying why,
// where namespaces cannot be made (not root, no nftables). The full figures: `npm run bench -- nat`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { natLabUnavailable } from './nat-lab.ts';
import { startSwarm, type IceSetup, type Swarm, type ViewerResult } from './nat-swarm.ts';

// The UDP-blocked viewer joins first: it then holds segments the others want, so bytes go through its relay.
const VIEWERS = [
  { name: 'no-udp', nat: 'udp-blocked' },
  { name: 'cone-a', nat: 'full-cone' },
  { name: 'cone-b', nat: 'full-cone' },
  { name: 'sym-a', nat: 'symmetric' },
  { name: 'sym-b', nat: 'symmetric' },
] as const;
/** Seconds of media each viewer plays per run. */
const PLAY_SECONDS = 8;

const skip = natLabUnavailable();

function byName(results: ViewerResult[], name: string): ViewerResult {
  const found = results.find((r) => r.name === name);
  assert.ok(found, `no result for ${name}`);
  return found;
}

const describeRun = (results: ViewerResult[]): string =>
  results
    .map(
      (r) => `${r.name}: http ${r.stats.httpBytes} p2p ${r.stats.p2pBytes} stalls ${r.stats.stalls} ${JSON.stringify(r.maxConnections)} ${r.errors.join('; ')}`,
    )
    .join('\n');

function assertNoStalls(results: ViewerResult[]): void {
  for (const r of results) {
    assert.equal(r.stats.stalls, 0, `${r.name} stalled:\n${describeRun(results)}`);
    assert.ok(!r.errors.some((e) => e.startsWith('playback')), `${r.name} stopped:\n${describeRun(results)}`);
  }
}

describe('P2P across NATs (network namespaces)', { skip }, () => {
  let swarm: Swarm;

  before(async () => {
    swarm = await startSwarm(VIEWERS, 30);
  });

  after(async () => {
    await swarm?.close();
  });

  const play = (setup: IceSetup, until?: (results: ViewerResult[]) => boolean) =>
    swarm.play(setup, { swarm: setup.name, seconds: PLAY_SECONDS, staggerMs: 1000, ...(until ? { until } : {}) });

  test('without ICE servers no viewer gets a byte from a peer, and all play from the origin without a stall', async () => {
    const results = await play({ name: 'none', stun: false, turn: false, relay: 'fallback' });
    for (const r of results) {
      assert.equal(r.stats.p2pBytes, 0, `${r.name} got peer bytes across NATs without ICE servers:\n${describeRun(results)}`);
      assert.ok(r.stats.httpBytes > 0, `${r.name} played nothing`);
    }
    assertNoStalls(results);
  });

  test('with STUN the full-cone viewers share directly (reflexive), the unreachable UDP-blocked viewer falls back to HTTP without a stall', async () => {
    const results = await play({ name: 'stun', stun: true, turn: false, relay: 'fallback' });
    const cones = [byName(results, 'cone-a'), byName(results, 'cone-b')];
    assert.ok(
      cones.some((r) => r.stats.p2pBytes > 0),
      `no full-cone viewer got bytes from a peer:\n${describeRun(results)}`,
    );
    for (const r of cones) {
      assert.ok(r.maxConnections.srflx + r.maxConnections.prflx > 0, `${r.name} had no reflexive connection:\n${describeRun(results)}`);
      assert.equal(r.maxConnections.relay, 0, `no TURN server was handed out:\n${describeRun(results)}`);
    }
    const blocked = byName(results, 'no-udp');
    assert.equal(blocked.stats.p2pBytes, 0, `a viewer without UDP reached a peer without TURN:\n${describeRun(results)}`);
    assert.ok(blocked.stats.currentTime >= PLAY_SECONDS);
    assertNoStalls(results);
  });

  test('with TURN allowed as a fallback the symmetric-NAT and UDP-blocked viewers reach peers through relays', async () => {
    // Play on until the relays are up and the UDP-blocked viewer has had bytes through one (or a minute more).
    const relayed = (results: ViewerResult[]) =>
      results.filter((r) => r.nat !== 'full-cone').every((r) => r.maxConnections.relay > 0) && byName(results, 'no-udp').stats.p2pBytes > 0;
    const results = await play({ name: 'turn', stun: true, turn: true, relay: 'fallback' }, relayed);
    const blocked = byName(results, 'no-udp');
    assert.ok(blocked.maxConnections.relay > 0, `the UDP-blocked viewer had no relayed connection:\n${describeRun(results)}`);
    // Without TURN it gets nothing from peers (the STUN test): every byte it got came through a relay.
    assert.ok(blocked.stats.p2pBytes > 0, `the UDP-blocked viewer got no bytes through its relays:\n${describeRun(results)}`);
    assert.equal(blocked.maxConnections.host + blocked.maxConnections.srflx + blocked.maxConnections.prflx, 0, describeRun(results));
    const symmetric = [byName(results, 'sym-a'), byName(results, 'sym-b')];
    assert.ok(
      symmetric.some((r) => r.maxConnections.relay > 0),
      `the two symmetric-NAT viewers (reachable to each other only through TURN) had no relayed connection:\n${describeRun(results)}`,
    );
    // The full-cone pair still prefers its direct path (a relay costs as much as the origin).
    for (const name of ['cone-a', 'cone-b']) {
      const r = byName(results, name);
      assert.ok(r.maxConnections.srflx + r.maxConnections.prflx > 0, `${name} had no reflexive connection:\n${describeRun(results)}`);
    }
    assertNoStalls(results);
  });
});
