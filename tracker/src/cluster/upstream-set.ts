import { WebSocket, type RawData } from 'ws';

/** Headers one instance sends another when it opens a proxying WebSocket. */
export const CLUSTER_HEADERS = {
  /** The shared `clusterSecret`; its presence marks an instance-to-instance connection. */
  secret: 'x-spherecast-tracker-secret',
  /** The browser's IP, for the owner's logs and info_hash checks. */
  forwardedFor: 'x-spherecast-tracker-forwarded-for',
  /** The browser's page origin (already checked by the proxying instance). */
  forwardedOrigin: 'x-spherecast-tracker-forwarded-origin',
} as const;

export interface UpstreamSetOptions {
  readonly secret: string;
  readonly maxPayload: number;
  readonly ip: string;
  readonly origin: string | null;
  /** Most frames held per owner while its WebSocket opens. */
  readonly maxBacklog: number;
  /** A frame from an owner, to be passed to the client as-is. */
  onMessage(data: Buffer): void;
  /** The upstream to `owner` closed or failed; its swarms must be re-announced. */
  onLost(owner: string, reason: string): void;
}

interface Upstream {
  readonly ws: WebSocket;
  backlog: string[] | null;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/**
 * The upstream WebSockets of ONE client connection, one per instance that owns a swarm the client
 * announces in. Because each upstream carries exactly one client, the owner's replies, offers and
 * answers on it can be relayed back verbatim: no ids to rewrite, nothing the client must change.
 */
export class UpstreamSet {
  private readonly upstreams = new Map<string, Upstream>();
  private closed = false;

  constructor(private readonly options: UpstreamSetOptions) {}

  get size(): number {
    return this.upstreams.size;
  }

  /** Sends a wire string (see protocol/binary-string.ts) to `owner` as a text frame. */
  send(owner: string, text: string): void {
    if (this.closed) return;
    let upstream = this.upstreams.get(owner);
    if (upstream === undefined) upstream = this.open(owner);
    if (upstream.backlog === null) {
      upstream.ws.send(Buffer.from(text, 'latin1'), { binary: false });
    } else if (upstream.backlog.length < this.options.maxBacklog) {
      upstream.backlog.push(text);
    }
  }

  closeAll(): void {
    this.closed = true;
    for (const upstream of this.upstreams.values()) {
      upstream.ws.removeAllListeners('close');
      upstream.ws.on('error', () => {});
      if (upstream.ws.readyState === WebSocket.CONNECTING) upstream.ws.terminate();
      else upstream.ws.close(1000);
    }
    this.upstreams.clear();
  }

  private open(owner: string): Upstream {
    const { options } = this;
    const headers: Record<string, string> = {
      [CLUSTER_HEADERS.secret]: options.secret,
      [CLUSTER_HEADERS.forwardedFor]: options.ip,
    };
    if (options.origin !== null) headers[CLUSTER_HEADERS.forwardedOrigin] = options.origin;
    const ws = new WebSocket(owner, { headers, perMessageDeflate: false, maxPayload: options.maxPayload, handshakeTimeout: 5000 });
    const upstream: Upstream = { ws, backlog: [] };
    this.upstreams.set(owner, upstream);

    let reason = 'closed by owner';
    ws.on('open', () => {
      const backlog = upstream.backlog ?? [];
      upstream.backlog = null;
      for (const text of backlog) ws.send(Buffer.from(text, 'latin1'), { binary: false });
    });
    ws.on('message', (data) => options.onMessage(toBuffer(data)));
    ws.on('unexpected-response', (_request, response) => {
      reason = `owner answered HTTP ${response.statusCode}`;
      ws.terminate();
    });
    ws.on('error', (error) => {
      if (reason === 'closed by owner') reason = error.message;
    });
    ws.on('close', () => {
      if (this.upstreams.get(owner) === upstream) this.upstreams.delete(owner);
      options.onLost(owner, reason);
    });
    return upstream;
  }
}
