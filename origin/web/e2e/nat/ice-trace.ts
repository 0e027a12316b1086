// Timeline of one page's WebRTC signalling, for finding where a connection's time goes across the NAT
// lab: an init script (installed before any page script, so p2p-media-loader's peer code gets the
// wrapped classes) records when each RTCPeerConnection was made, its ICE gathering states, each local
// candidate (type, protocol), failed STUN/TURN attempts (icecandidateerror), when its offer/answer was
// set, and its connection states; and when tracker messages carrying offers or answers went out or
// came in. Read back with `window.iceTrace`.

export type TraceEvent = {
  /** ms since 1970 (comparable across the lab's pages: one machine, one clock). */
  t: number;
  /** Connection number in this page, or 0 for tracker messages. */
  pc: number;
  what: string;
};

/** Runs in the page (page.addInitScript): self-contained, no imports. */
export function installIceTrace(): void {
  const events: TraceEvent[] = [];
  const log = (pc: number, what: string): void => void events.push({ t: Date.now(), pc, what });
  Object.assign(window, { iceTrace: events });
  const Original = window.RTCPeerConnection;
  let next = 0;
  class TracedPeerConnection extends Original {
    /** The candidate pairs that got past `waiting`: state, both ends, checks and bytes. */
    async #pairs(id: number): Promise<void> {
      const entries = new Map<string, Record<string, unknown>>();
      (await this.getStats()).forEach((entry: Record<string, unknown> & { id: string }) => entries.set(entry.id, entry));
      const end = (key: unknown): string => {
        const c = typeof key === 'string' ? entries.get(key) : undefined;
        return c
          ? `${String(c['candidateType'])}/${String(c['protocol'])}${typeof c['relayProtocol'] === 'string' ? `~${c['relayProtocol']}` : ''} ${String(c['address'])}:${String(c['port'])}`
          : '?';
      };
      for (const e of entries.values()) {
        if (e['type'] !== 'candidate-pair' || e['state'] === 'waiting' || e['state'] === 'frozen') continue;
        log(
          id,
          `  pair ${String(e['state'])}${e['nominated'] ? ' nominated' : ''} ${end(e['localCandidateId'])} -> ${end(e['remoteCandidateId'])} req ${String(e['requestsSent'])}/${String(e['responsesReceived'])} in ${String(e['requestsReceived'])}/${String(e['responsesSent'])} bytes ${String(e['bytesSent'])}/${String(e['bytesReceived'])}`,
        );
      }
    }

    constructor(config?: RTCConfiguration) {
      super(config);
      const id = (next += 1);
      const urls = (config?.iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
      log(id, `create policy=${config?.iceTransportPolicy ?? 'all'} servers=${urls.join(' ')}`);
      this.addEventListener('icegatheringstatechange', () => log(id, `gathering ${this.iceGatheringState}`));
      this.addEventListener('icecandidate', (e) => {
        // relayProtocol (tcp/tls for a relay reached over TCP) is missing from older DOM typings.
        const c: (RTCIceCandidate & { relayProtocol?: string | null }) | null = e.candidate;
        log(id, c ? `candidate ${c.type ?? '?'} ${c.protocol ?? '?'}${c.relayProtocol ? ` via ${c.relayProtocol}` : ''}` : 'candidate end');
      });
      this.addEventListener('icecandidateerror', (e) => {
        log(id, `candidate-error ${e.url} ${e.errorCode} ${e.errorText}`);
      });
      this.addEventListener('iceconnectionstatechange', () => {
        log(id, `ice ${this.iceConnectionState}`);
        if (this.iceConnectionState === 'connected' || this.iceConnectionState === 'disconnected') void this.#pairs(id);
      });
      this.addEventListener('connectionstatechange', () => log(id, `connection ${this.connectionState}`));
      this.addEventListener('signalingstatechange', () => log(id, `signaling ${this.signalingState}`));
    }
  }
  window.RTCPeerConnection = TracedPeerConnection;
  const send = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'send')?.value as WebSocket['send'];
  const describe = (text: string): string | null => {
    try {
      const message = JSON.parse(text) as { action?: string; offers?: unknown[]; offer?: unknown; answer?: unknown };
      if (message.action !== 'announce') return null;
      if (message.offers) return `offers ${message.offers.length}`;
      if (message.offer) return 'offer';
      if (message.answer) return 'answer';
      return null;
    } catch {
      return null;
    }
  };
  WebSocket.prototype.send = function traced(this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
    if (typeof data === 'string') {
      const what = describe(data);
      if (what) log(0, `tracker-send ${what}`);
    }
    send.call(this, data);
  };
  // The tracker client listens with onmessage (simple-websocket): watch messages from the open socket.
  const Socket = window.WebSocket;
  window.WebSocket = class TracedSocket extends Socket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (e: MessageEvent<unknown>) => {
        const { data } = e;
        if (typeof data !== 'string') return;
        const what = describe(data);
        if (what) log(0, `tracker-recv ${what}`);
      });
    }
  };
}

/**
 * installIceTrace as an init script. tsx (esbuild keepNames) wraps functions and classes in `__name()`
 * calls, which do not exist in the page: an identity stands in.
 */
export const ICE_TRACE_SCRIPT = `(() => { const __name = (target) => target; (${installIceTrace.toString()})(); })();`;

/** One line per event, times in seconds after `origin`. */
export function formatTrace(events: readonly TraceEvent[], origin: number): string {
  return events.map((e) => `${((e.t - origin) / 1000).toFixed(2).padStart(7)} s  #${e.pc}  ${e.what}`).join('\n');
}
