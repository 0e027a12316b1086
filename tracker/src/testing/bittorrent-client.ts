// The stock bittorrent-tracker client, loaded with a real WebRTC stack for Node (@roamhq/wrtc),
// plus small helpers the protocol tests share. Test-only.
import { once } from 'node:events';
import { register } from 'node:module';
import type { ClientOptions, SimplePeer } from 'bittorrent-tracker/client';
import type { EventEmitter } from 'node:events';

// Must run before bittorrent-tracker (→ simple-peer → webrtc-polyfill) is first imported.
register('./webrtc-polyfill-hooks.ts', import.meta.url);
const { default: Client } = await import('bittorrent-tracker/client');

/**
 * The stock client, remembering the WebRTC peers it hands out so {@link TrackerClient.shutdown}
 * can close them (open RTCPeerConnections keep the test process alive).
 */
export class TrackerClient extends Client {
  private readonly handedOut = new Set<SimplePeer>();

  constructor(options: ClientOptions) {
    super(options);
    this.on('peer', (peer) => {
      this.handedOut.add(peer);
      peer.on('error', () => {});
      peer.once('close', () => this.handedOut.delete(peer));
    });
  }

  /** Destroys the client (sending `stopped` if started) and every peer connection it made. */
  shutdown(): Promise<void> {
    for (const peer of this.handedOut) peer.destroy();
    this.handedOut.clear();
    return new Promise((resolve) => this.destroy(() => resolve()));
  }
}

export interface TrackerClientOptions {
  /** Offers per announce (the client caps it at 5). Default 1: each offer waits for ICE gathering. */
  readonly offers?: number;
}

/**
 * A bittorrent-tracker client for `infoHashHex` with a readable peer id (`name`, padded to 20
 * bytes). Each client gets its own announce URL (a query string) because the client pools one
 * WebSocket per URL, and real browsers each have their own.
 */
export function createTrackerClient(trackerUrl: string, infoHashHex: string, name: string, options: TrackerClientOptions = {}): TrackerClient {
  const offers = options.offers ?? 1;
  return new TrackerClient({
    infoHash: infoHashHex,
    peerId: Buffer.from(name.padEnd(20, '-').slice(0, 20)),
    announce: [`${trackerUrl}/?peer=${encodeURIComponent(name)}`],
    port: 6881,
    getAnnounceOpts: () => ({ numwant: offers }),
  });
}

/** Hex peer id of a client made by {@link createTrackerClient}. */
export function peerIdHex(name: string): string {
  return Buffer.from(name.padEnd(20, '-').slice(0, 20)).toString('hex');
}

/** Resolves with the first `event` payload that satisfies `accept`, or rejects after `timeoutMs`. */
export async function nextEvent<T>(emitter: EventEmitter, event: string, accept: (payload: T) => boolean = () => true, timeoutMs = 20_000): Promise<T> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    while (true) {
      const [payload] = (await once(emitter, event, { signal })) as [T];
      if (accept(payload)) return payload;
    }
  } catch (error) {
    if (signal.aborted) throw new Error(`no matching "${event}" event within ${timeoutMs} ms`, { cause: error });
    throw error;
  }
}
