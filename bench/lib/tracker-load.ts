// Load generator for tracker-bench.ts: raw WebSocket clients speaking the WebTorrent tracker
// protocol (what bittorrent-tracker's websocket-tracker.js sends), without WebRTC, so the tracker
// is the only thing being measured. Bounded in connections and time; everything is closed at the end.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** A random 20-byte id as the protocol's binary string. */
export function randomBinaryId(): string {
  return randomBytes(20).toString('latin1');
}

export const INTERVAL_MARK = Buffer.from('"interval"');

/** An SDP offer of about `bytes` characters, shaped like the ones a browser sends (trickle off). */
export function fakeSdp(bytes: number): string {
  const lines = [
    'v=0',
    `o=- ${randomBytes(8).readBigUInt64BE() >> 1n} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    `a=ice-ufrag:${randomBytes(3).toString('hex')}`,
    `a=ice-pwd:${randomBytes(12).toString('base64')}`,
    'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${Array.from(randomBytes(32), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')}`,
    'a=setup:actpass',
    'a=mid:0',
    'a=sctp-port:5000',
    'a=max-message-size:262144',
  ];
  for (let i = 0; lines.join('\r\n').length < bytes; i++) {
    lines.push(`a=candidate:${1000 + i} 1 udp ${2122260223 - i} 192.168.${i % 255}.${(i * 7) % 255} ${50000 + i} typ host generation 0 network-id ${i}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * A minimal WebSocket client over a raw TCP socket: handshake, pre-masked frames out, a frame
 * counter in. The `ws` client spends about as much CPU per message as the tracker under test, so
 * with it the load generator, not the server, would set the pace.
 */
export class BenchSocket {
  onMessage: (payload: Buffer) => void = () => {};
  private pending: Buffer | null = null;
  private readonly mask = randomBytes(4);

  private constructor(private readonly socket: Socket) {
    this.mask[0] = this.mask[0]! | 1; // never all-zero: servers skip unmasking zero masks, browsers never send them
    socket.setNoDelay(true);
  }

  /** `localAddress` (another 127.x address) spreads many connections over more source ports. */
  static connect(url: string, localAddress?: string): Promise<BenchSocket> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port), ...(localAddress ? { localAddress } : {}) });
      const client = new BenchSocket(socket);
      let head = Buffer.alloc(0);
      const onHandshake = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onHandshake);
        if (!head.subarray(0, 12).toString().startsWith('HTTP/1.1 101')) {
          socket.destroy();
          reject(new Error(`handshake refused: ${head.subarray(0, end).toString().split('\r\n')[0]}`));
          return;
        }
        socket.on('data', (data: Buffer) => client.onData(data));
        resolve(client);
        if (head.length > end + 4) client.onData(head.subarray(end + 4));
      };
      socket.on('data', onHandshake);
      socket.once('error', reject);
      socket.on('error', () => {});
      socket.write(
        `GET / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  }

  /** A masked text frame for `payload`, to be sent (many times) with {@link sendFrame}. */
  frame(payload: Buffer): Buffer {
    return maskedTextFrame(payload, this.mask);
  }

  sendFrame(frame: Buffer): void {
    this.socket.write(frame);
  }

  sendText(text: string): void {
    this.socket.write(this.frame(Buffer.from(text)));
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    const buffer = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    let offset = 0;
    for (;;) {
      if (buffer.length - offset < 2) break;
      let length = buffer[offset + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buffer.length - offset < 4) break;
        length = buffer.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (buffer.length - offset < 10) break;
        length = buffer.readUInt32BE(offset + 6);
        header = 10;
      }
      if (buffer.length - offset < header + length) break;
      const opcode = buffer[offset]! & 0x0f;
      if (opcode === 0x1 || opcode === 0x2) this.onMessage(buffer.subarray(offset + header, offset + header + length));
      else if (opcode === 0x8) this.socket.destroy();
      offset += header + length;
    }
    if (offset < buffer.length) this.pending = Buffer.from(buffer.subarray(offset));
  }
}

/**
 * A client→server text frame, masked as RFC 6455 requires, built once so that re-sending it costs
 * the load generator one socket write (the server still unmasks every frame, as with a browser).
 */
export function maskedTextFrame(payload: Buffer, mask: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + 4 + length);
  frame[0] = 0x81; // FIN + text
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  mask.copy(frame, headerLength);
  for (let i = 0; i < length; i++) frame[headerLength + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

function joinMessage(infoHash: string, peerId: string): string {
  return JSON.stringify({ action: 'announce', info_hash: infoHash, peer_id: peerId, event: 'started', numwant: 0, uploaded: 0, downloaded: 0 });
}

/** Sends a `started` announce and resolves on the tracker's reply. */
function join(client: BenchSocket, infoHash: string, peerId: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.onMessage = () => {};
      reject(new Error('no announce reply'));
    }, timeoutMs);
    client.onMessage = (data) => {
      if (!data.includes(INTERVAL_MARK)) return;
      clearTimeout(timer);
      client.onMessage = () => {};
      resolve();
    };
    client.sendText(joinMessage(infoHash, peerId));
  });
}

export interface IdlePeers {
  readonly sockets: BenchSocket[];
  readonly joined: number;
  readonly failed: number;
  readonly seconds: number;
  /** Offers the idle peers have received so far (other peers' announces reach them). */
  offersReceived(): number;
}

/** Opens `count` connections (at most `concurrency` handshakes at once), each joining one of `swarms`. */
export async function joinIdlePeers(url: string, swarms: readonly string[], count: number, concurrency: number, deadline: number): Promise<IdlePeers> {
  const sockets: BenchSocket[] = [];
  let offers = 0;
  let failed = 0;
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count && Date.now() < deadline) {
      const index = next++;
      try {
        const client = await BenchSocket.connect(url);
        sockets.push(client);
        await join(client, swarms[index % swarms.length]!, randomBinaryId());
        client.onMessage = () => {
          offers++;
        };
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { sockets, joined: sockets.length - failed, failed, seconds: (performance.now() - started) / 1000, offersReceived: () => offers };
}

export interface AnnounceLoadOptions {
  readonly connections: number;
  /** Offers per announce (bittorrent-tracker's client sends min(numwant, 5)). */
  readonly offers: number;
  readonly sdpBytes: number;
  /** Announces each connection keeps in flight. */
  readonly window: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface AnnounceLoadResult {
  readonly announces: number;
  readonly seconds: number;
  /** Offers that reached the active connections while measuring (idle peers count theirs separately). */
  readonly offersSeen: number;
  readonly messageBytes: number;
  /** CPU time of this (load generator) process over the measured window, as a share of one core. */
  readonly generatorCpuShare: number;
}

/**
 * `connections` peers join the swarms, then each re-announces (event-less update with `offers`
 * offers) as soon as its previous reply arrives, keeping `window` in flight. Replies are counted
 * between `measure.start()` and `measure.end()`, which the caller uses to read the server's CPU.
 */
export async function runAnnounceLoad(
  url: string,
  swarms: readonly string[],
  options: AnnounceLoadOptions,
  measure: { start(): Promise<void>; end(): Promise<void> },
): Promise<AnnounceLoadResult> {
  const sockets: BenchSocket[] = [];
  const frames: Buffer[] = [];
  let messageBytes = 0;
  for (let i = 0; i < options.connections; i++) {
    const client = await BenchSocket.connect(url);
    const infoHash = swarms[i % swarms.length]!;
    const peerId = randomBinaryId();
    await join(client, infoHash, peerId);
    sockets.push(client);
    const offers = Array.from({ length: options.offers }, () => ({ offer: { type: 'offer', sdp: fakeSdp(options.sdpBytes) }, offer_id: randomBinaryId() }));
    const message = Buffer.from(
      JSON.stringify({ action: 'announce', info_hash: infoHash, peer_id: peerId, numwant: options.offers, uploaded: 0, downloaded: 0, offers }),
    );
    messageBytes = message.length;
    frames.push(client.frame(message));
  }

  let counting = false;
  let running = true;
  let announces = 0;
  let offersSeen = 0;
  sockets.forEach((client, i) => {
    const frame = frames[i]!;
    client.onMessage = (data) => {
      if (!data.includes(INTERVAL_MARK)) {
        if (counting) offersSeen++;
        return;
      }
      if (counting) announces++;
      if (running) client.sendFrame(frame);
    };
  });
  for (let i = 0; i < sockets.length; i++) for (let w = 0; w < options.window; w++) sockets[i]!.sendFrame(frames[i]!);

  await sleep(options.warmupMs);
  await measure.start();
  counting = true;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await sleep(options.durationMs);
  counting = false;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await measure.end();
  running = false;
  await sleep(300); // let in-flight replies land before closing
  for (const client of sockets) client.close();
  return { announces, seconds, offersSeen, messageBytes, generatorCpuShare: (cpu.user + cpu.system) / 1e6 / seconds };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
