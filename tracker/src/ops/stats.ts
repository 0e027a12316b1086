import { CLOSE_REASONS, REJECT_REASONS, type CloseReason, type RejectReason } from '../errors.ts';
import { PROTOCOL_VIOLATIONS, type ProtocolViolationCode } from '../protocol/messages.ts';

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  const record = {} as Record<K, number>;
  for (const key of keys) record[key] = 0;
  return record;
}

/** Monotonic counters of one tracker instance (plain fields: incremented on the hot path). */
export class TrackerCounters {
  messages = 0;
  announces = 0;
  answers = 0;
  scrapes = 0;
  offersRelayed = 0;
  answersRelayed = 0;
  /** Frames forwarded to the instance owning their swarm. */
  proxiedMessages = 0;
  connectionsOpened = 0;
  readonly connectionsRejected = zeroes(Object.keys(REJECT_REASONS) as RejectReason[]);
  readonly connectionsClosed = zeroes(Object.keys(CLOSE_REASONS) as CloseReason[]);
  readonly protocolViolations = zeroes(Object.keys(PROTOCOL_VIOLATIONS) as ProtocolViolationCode[]);
}

/** Body of `GET /stats.json`. */
export interface TrackerStats {
  /** This instance's cluster URL, or `null` when not sharded. */
  readonly instance: string | null;
  readonly startedAt: string;
  readonly uptimeSeconds: number;
  readonly swarms: number;
  readonly peers: number;
  readonly seeders: number;
  readonly leechers: number;
  /** Open client WebSockets (browsers and proxying instances). */
  readonly connections: number;
  /** Swarms that clients of this instance announce in through their owner instance. */
  readonly proxiedSwarms: number;
  /** Open upstream WebSockets to owner instances. */
  readonly upstreams: number;
  /** Messages received per second, averaged over the last 9 whole seconds. */
  readonly messagesPerSecond: number;
  readonly announcesPerSecond: number;
  readonly totals: {
    readonly messages: number;
    readonly announces: number;
    readonly answers: number;
    readonly scrapes: number;
    readonly offersRelayed: number;
    readonly answersRelayed: number;
    readonly proxiedMessages: number;
    readonly connectionsOpened: number;
    readonly connectionsRejected: Readonly<Record<RejectReason, number>>;
    readonly connectionsClosed: Readonly<Record<CloseReason, number>>;
    readonly protocolViolations: Readonly<Record<ProtocolViolationCode, number>>;
  };
  readonly memory: { readonly rssBytes: number; readonly heapUsedBytes: number; readonly heapTotalBytes: number; readonly externalBytes: number };
  readonly cluster: { readonly self: string | null; readonly instances: readonly string[] };
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Renders the stats in the Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(stats: TrackerStats): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: readonly [labels: string, value: number][]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`);
  };
  const single = (value: number): [string, number][] => [['', value]];
  const labelled = (label: string, record: Readonly<Record<string, number>>): [string, number][] =>
    Object.entries(record).map(([key, value]) => [`{${label}="${escapeLabel(key)}"}`, value]);

  metric('spherecast_tracker_swarms', 'gauge', 'Swarms (info_hashes with at least one peer) on this instance.', single(stats.swarms));
  metric('spherecast_tracker_peers', 'gauge', 'Peers in swarms on this instance, by state.', [
    ['{state="seeder"}', stats.seeders],
    ['{state="leecher"}', stats.leechers],
  ]);
  metric('spherecast_tracker_connections', 'gauge', 'Open client WebSocket connections.', single(stats.connections));
  metric('spherecast_tracker_proxied_swarms', 'gauge', 'Swarms announced through their owner instance.', single(stats.proxiedSwarms));
  metric('spherecast_tracker_upstream_connections', 'gauge', 'Open WebSockets to owner instances.', single(stats.upstreams));
  metric('spherecast_tracker_messages_per_second', 'gauge', 'Messages received per second (9 s average).', single(stats.messagesPerSecond));
  metric('spherecast_tracker_messages_total', 'counter', 'Messages received, by kind.', [
    ['{kind="announce"}', stats.totals.announces],
    ['{kind="answer"}', stats.totals.answers],
    ['{kind="scrape"}', stats.totals.scrapes],
    ['{kind="all"}', stats.totals.messages],
  ]);
  metric('spherecast_tracker_relayed_total', 'counter', 'Offers and answers passed between peers.', [
    ['{kind="offer"}', stats.totals.offersRelayed],
    ['{kind="answer"}', stats.totals.answersRelayed],
  ]);
  metric(
    'spherecast_tracker_proxied_messages_total',
    'counter',
    'Messages forwarded to the instance owning their swarm.',
    single(stats.totals.proxiedMessages),
  );
  metric('spherecast_tracker_connections_opened_total', 'counter', 'WebSocket connections accepted.', single(stats.totals.connectionsOpened));
  metric(
    'spherecast_tracker_connections_rejected_total',
    'counter',
    'WebSocket upgrades refused, by reason.',
    labelled('reason', stats.totals.connectionsRejected),
  );
  metric(
    'spherecast_tracker_connections_closed_total',
    'counter',
    'WebSocket connections ended, by reason.',
    labelled('reason', stats.totals.connectionsClosed),
  );
  metric(
    'spherecast_tracker_protocol_violations_total',
    'counter',
    'Messages that broke the protocol, by code.',
    labelled('code', stats.totals.protocolViolations),
  );
  metric('process_resident_memory_bytes', 'gauge', 'Resident set size.', single(stats.memory.rssBytes));
  metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', single(stats.memory.heapUsedBytes));
  metric('nodejs_heap_total_bytes', 'gauge', 'V8 heap reserved.', single(stats.memory.heapTotalBytes));
  metric('process_uptime_seconds', 'gauge', 'Seconds since the tracker started.', single(stats.uptimeSeconds));
  return `${lines.join('\n')}\n`;
}
