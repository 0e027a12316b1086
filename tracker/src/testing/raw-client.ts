// A bare WebSocket client speaking the tracker protocol by hand, for limit and bad-input tests
// (the stock client never sends bad input). Test-only.
import { WebSocket } from 'ws';

export type TrackerMessage = Record<string, unknown>;

/** A 20-character binary string id made from `seed` (repeated / truncated). */
export function binaryId(seed: string): string {
  return seed.repeat(Math.ceil(20 / seed.length)).slice(0, 20);
}

export interface RawConnectOptions {
  readonly origin?: string;
  readonly headers?: Record<string, string>;
  /** Certificate authority to trust for `wss://` (e.g. a test's self-signed certificate). */
  readonly ca?: string | Buffer;
}

export class RawClient {
  readonly messages: TrackerMessage[] = [];
  /** Close code and reason once the connection has ended. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(
        JSON.parse(
          Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'),
        ) as TrackerMessage,
      );
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => {});
  }

  /** Opens a connection; rejects with `HTTP <status>` when the upgrade is refused. */
  static connect(url: string, options: RawConnectOptions = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        perMessageDeflate: false,
        ...(options.origin === undefined ? {} : { origin: options.origin }),
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        headers: options.headers ?? {},
      });
      ws.once('open', () => resolve(new RawClient(ws)));
      ws.once('unexpected-response', (_request, response) => {
        reject(new Error(`HTTP ${response.statusCode}`));
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(message: TrackerMessage | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (already received or coming) that satisfies `accept`. */
  async next(accept: (message: TrackerMessage) => boolean = () => true, timeoutMs = 5000): Promise<TrackerMessage> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    while (true) {
      for (; seen < this.messages.length; seen++) if (accept(this.messages[seen]!)) return this.messages[seen]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a `started` announce without offers and waits for the reply. */
  async join(infoHash: string, peerId: string, extra: TrackerMessage = {}): Promise<TrackerMessage> {
    const from = this.messages.length;
    this.send({ action: 'announce', info_hash: infoHash, peer_id: peerId, event: 'started', numwant: 0, ...extra });
    return this.next((message) => this.messages.indexOf(message) >= from && message.action === 'announce' && 'interval' in message);
  }

  close(): void {
    this.ws.close();
  }
}
