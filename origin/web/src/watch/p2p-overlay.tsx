import { useState } from 'react';
import type { PlayerStats } from '@spherecast/shared/player';
import { formatBytes } from '@spherecast/shared/format';

/**
 * Where the video's bytes came from. The data-* attributes are kept current for tests and tools
 * (bytes as integers, peers as a count).
 */
export function P2pOverlay({ stats, p2pActive }: { stats: PlayerStats; p2pActive: boolean }) {
  const [open, setOpen] = useState(true);
  const total = stats.httpBytes + stats.p2pBytes;
  const share = total > 0 ? Math.round((stats.p2pBytes / total) * 100) : 0;
  // How the open peer connections travel (getStats' selected candidate pairs): host = direct, srflx/prflx = through a NAT mapping, relay = TURN.
  const direct = stats.connections.host;
  const reflexive = stats.connections.srflx + stats.connections.prflx;
  const relayed = stats.connections.relay;
  return (
    <aside
      className={open ? 'p2p-stats' : 'p2p-stats p2p-stats-closed'}
      data-testid="p2p-stats"
      data-http-bytes={stats.httpBytes}
      data-p2p-bytes={stats.p2pBytes}
      data-peers={stats.peers}
      data-uploaded-bytes={stats.uploadedBytes}
      data-direct-connections={direct}
      data-reflexive-connections={reflexive}
      data-relayed-connections={relayed}
      data-rejected-segments={stats.rejectedSegments}
      data-stalls={stats.stalls}
      data-latency-seconds={stats.latencySeconds ?? undefined}
      aria-label="Peer-to-peer delivery"
    >
      <button type="button" className="p2p-toggle" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        {p2pActive ? `P2P ${share}%` : 'P2P off'}
      </button>
      {open ? (
        <dl>
          <div>
            <dt>From peers</dt>
            <dd>{formatBytes(stats.p2pBytes)}</dd>
          </div>
          <div>
            <dt>From server</dt>
            <dd>{formatBytes(stats.httpBytes)}</dd>
          </div>
          <div>
            <dt>Shared</dt>
            <dd>{formatBytes(stats.uploadedBytes)}</dd>
          </div>
          <div>
            <dt>Peers</dt>
            <dd>{stats.peers}</dd>
          </div>
          {direct + reflexive + relayed > 0 ? (
            <div>
              <dt>Paths</dt>
              <dd title="Peer connections: direct (same network), reflexive (through a NAT, found with STUN), relayed (through the operator's TURN server)">
                {direct} direct · {reflexive} reflexive · {relayed} relayed
              </dd>
            </div>
          ) : null}
          {stats.latencySeconds !== null ? (
            <div>
              <dt>Latency</dt>
              <dd title="Behind the broadcaster's clock (EXT-X-PROGRAM-DATE-TIME of the frame on screen)">{stats.latencySeconds.toFixed(1)} s</dd>
            </div>
          ) : null}
          <div className="p2p-bar" aria-hidden="true">
            <span style={{ width: `${share}%` }} />
          </div>
          {stats.rejectedSegments > 0 ? (
            <div className="p2p-warning">
              <dt>Rejected</dt>
              <dd title="Segments from peers that failed the integrity check and were fetched from the server">{stats.rejectedSegments}</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
    </aside>
  );
}
