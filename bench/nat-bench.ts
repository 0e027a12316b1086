// `npm run bench -- nat`: P2P across NATs. Five viewers, each in its own Linux network namespace
// behind an nftables NAT router (two full-cone, two symmetric, one that blocks UDP), the tracker,
// coturn and the stream in a "public" namespace (origin/web/e2e/nat). Every configuration of ICE
// servers plays the same stream in all five, in the same run: none (the default, the baseline),
// STUN only, STUN + TURN with P2P_RELAY=fallback, and STUN + TURN with P2P_RELAY=always. Reported
// per configuration and viewer: the share of media bytes from peers, the connection types (most open
// at once: direct host / server-reflexive / peer-reflexive / relayed), stalls and start-up.
import { natLabUnavailable } from '../origin/web/e2e/nat/nat-lab.ts';
import { startSwarm, type IceSetup, type ViewerResult } from '../origin/web/e2e/nat/nat-swarm.ts';
import { machineLine } from './lib/results.ts';

const VIEWERS = [
  { name: 'cone-a', nat: 'full-cone' },
  { name: 'cone-b', nat: 'full-cone' },
  { name: 'sym-a', nat: 'symmetric' },
  { name: 'sym-b', nat: 'symmetric' },
  { name: 'no-udp', nat: 'udp-blocked' },
] as const;

const SETUPS: ReadonlyArray<IceSetup & { label: string }> = [
  { name: 'none', label: 'no ICE servers (default; baseline)', stun: false, turn: false, relay: 'fallback' },
  { name: 'stun', label: 'STUN only (= STUN + TURN with P2P_RELAY=off: no TURN handed out)', stun: true, turn: false, relay: 'fallback' },
  { name: 'turn', label: 'STUN + TURN, P2P_RELAY=fallback', stun: true, turn: true, relay: 'fallback' },
  { name: 'relay', label: 'STUN + TURN, P2P_RELAY=always', stun: true, turn: true, relay: 'always' },
];

/** What the same bench measured before the relay fixes (commit 4966627), for comparison. */
export const BEFORE_RELAY_FIXES = [
  "Before the relay fixes (commit 4966627, same lab and load): STUN + TURN fallback 59.1% from peers (4/5 viewers; the UDP-blocked viewer 0.0%), P2P_RELAY=always 33.3% (3/5; the UDP-blocked viewer and one symmetric viewer 0.0%). Found with the lab's signalling timeline (origin/web/e2e/nat/ice-trace.ts):",
  "(1) lab: coturn relayed ICE checks towards the viewers' private host addresses, which the public namespace had no route to; the failed send made it drop TURN-over-TCP allocations 0.2–0.6 s after the UDP-blocked viewer's relayed connections came up (now `denied-peer-ip` for the home networks, as the README configures coturn; the connection then holds);",
  "(2) lab: each peer connection holds one relay port per TURN URL from the moment it is made (5 offers per announce, kept up to 50 s unanswered; allocations of closed pages live on for coturn's 600 s), and coturn's 100 test ports were refused with 508 Insufficient Capacity in the later runs (now 2000);",
  "(3) player: the tracker client sends offers and answers non-trickled, each waiting for the end of ICE gathering or 5 s after the first candidate; where UDP is dropped Chromium's gathering takes ~40 s to end, so the UDP-blocked viewer's first offers left 5.0 s after its connections were made (with relays only and no relay candidate, never). The player now ends gathering for the tracker client at the first relay candidate or after 1.5 s, and once a player knows whether UDP works it hands later connections only the STUN/TURN URLs that can answer: first offers 0.08 s after the connections were made. With (1) and (2) alone the UDP-blocked viewer got 59% (fallback) and 55% (always) from peers in a 2-setup run; with (3) as well, 100% in both.",
].join(' ');

const CLIP_SECONDS = Number(process.env.NAT_CLIP_SECONDS ?? 24);
const PLAY_SECONDS = CLIP_SECONDS - 3;

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const share = (results: ViewerResult[]): number => {
  const p2p = results.reduce((sum, r) => sum + r.stats.p2pBytes, 0);
  const all = results.reduce((sum, r) => sum + r.stats.p2pBytes + r.stats.httpBytes, 0);
  return all > 0 ? p2p / all : 0;
};
const types = (r: ViewerResult): string => {
  const c = r.maxConnections;
  const parts = (['host', 'srflx', 'prflx', 'relay'] as const).filter((key) => c[key] > 0).map((key) => `${key} ${c[key]}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
};

export async function runNatBench(): Promise<{ markdown: string }> {
  const skip = natLabUnavailable();
  if (skip) throw new Error(`the NAT bench needs network namespaces: ${skip}`);
  const swarm = await startSwarm(VIEWERS, CLIP_SECONDS);
  const runs: Array<{ setup: (typeof SETUPS)[number]; results: ViewerResult[] }> = [];
  try {
    for (const setup of SETUPS) {
      console.log(`nat: ${setup.label}`);
      const results = await swarm.play(setup, { swarm: `bench-${setup.name}`, seconds: PLAY_SECONDS, staggerMs: 1500 });
      for (const r of results)
        console.log(
          `  ${r.name} (${r.nat}): peers ${pct(r.stats.p2pBytes / Math.max(1, r.stats.p2pBytes + r.stats.httpBytes))}, ${types(r)}, stalls ${r.stats.stalls}`,
        );
      runs.push({ setup, results });
    }
  } finally {
    await swarm.close();
  }
  const limit = 1 - 1 / VIEWERS.length;
  const baseline = share(runs[0]!.results);
  const summary = [
    '| ICE servers | share from peers (all 5) | share / limit 1 − 1/5 | vs baseline | viewers with peer bytes | relayed connections (most at once, summed) | stalls |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map(({ setup, results }) => {
      const s = share(results);
      const relayed = results.reduce((sum, r) => sum + r.maxConnections.relay, 0);
      const stalls = results.reduce((sum, r) => sum + r.stats.stalls, 0);
      return `| ${setup.label} | ${pct(s)} | ${pct(s / limit)} | ${s === baseline ? '=' : `+${((s - baseline) * 100).toFixed(1)} points`} | ${results.filter((r) => r.stats.p2pBytes > 0).length}/5 | ${relayed} | ${stalls} |`;
    }),
  ];
  const detail = [
    '| ICE servers | viewer (NAT) | share from peers | connection types | uploaded | start-up | stalls |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...runs.flatMap(({ setup, results }) =>
      results.map(
        (r) =>
          `| ${setup.name} | ${r.name} (${r.nat}) | ${pct(r.stats.p2pBytes / Math.max(1, r.stats.p2pBytes + r.stats.httpBytes))} | ${types(r)} | ${(r.stats.uploadedBytes / 1e6).toFixed(2)} MB | ${r.stats.startupMs ?? '–'} ms | ${r.stats.stalls} |`,
      ),
    ),
  ];
  const markdown = [
    '## NAT: P2P across network namespaces',
    '',
    `Machine: ${machineLine()}. Date: ${new Date().toISOString()}.`,
    '',
    `Five headless Chromium viewers (shared player, no 3D rendering), each in its own network namespace behind an nftables NAT router: two endpoint-independent ("full cone"), two symmetric (random port per destination), one that drops UDP (TCP NATed). coturn 4.6 (TURN REST credentials from the origin's iceServersFor; TURN over UDP and TCP), the project's tracker and the HLS server (a ${CLIP_SECONDS} s 480x240/320x160 ladder, 1 s segments, lower rung) in a "public" namespace. Viewers join 1.5 s apart and play ${PLAY_SECONDS} s; every configuration runs in the same lab, one after the other, each in a swarm of its own. Share = media bytes from peers / all media bytes the players used. Connection types: the most open at once per type (selected candidate pair from getStats; a pair with a relay on either side counts as relay). The baseline is the default (no ICE servers) in the same run.`,
    '',
    ...summary,
    '',
    ...detail,
    '',
    'Unreachable peers (no TURN: the UDP-blocked viewer, and the two symmetric viewers for each other) cost no stalls: the P2P engine asks only connected peers for segments, so those viewers take everything (or the rest) over HTTP.',
    '',
    BEFORE_RELAY_FIXES,
  ].join('\n');
  return { markdown };
}
