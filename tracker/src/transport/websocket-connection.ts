// Server side of RFC 6455 over an upgraded socket, only what a tracker needs: text/binary
// messages (fragmented or not), ping/pong, the close handshake, a size limit. No extensions
// (permessage-deflate is never negotiated) and no subprotocols.
//
// Why not the `ws` package: on a busy tracker the per-frame machinery (a Writable stream per
// receiver, a sender that writes header and payload separately, event emitters) costs about as
// much as the tracker's own work. Here a frame is parsed straight from the socket's chunk and
// written as one buffer, and a connection is one small object.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const KEY_PATTERN = /^[+/0-9A-Za-z]{22}==$/;

/** How long a closed connection may wait for the peer's side of the close before being cut. */
const CLOSE_TIMEOUT_MS = 5000;

const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Close codes this layer sends on its own (RFC 6455 §7.4.1). */
export const WS_CLOSE = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  /** Never sent: reported when the socket ended without a close frame. */
  abnormal: 1006,
} as const;

/** Receives what a connection reads; one object serves every connection. */
export interface WebSocketHandler<C> {
  /**
   * A complete message. It has been checked to be valid UTF-8 and is handed over as a wire string:
   * one character per byte (see protocol/binary-string.ts), which is far cheaper than decoding.
   */
  onMessage(connection: C, wire: string): void;
  /**
   * The connection ended; called exactly once. `byPeer` is true when the client closed it (close
   * frame or dropped socket), false when this layer refused a frame (`code` says why).
   */
  onClose(connection: C, code: number, reason: string, byPeer: boolean): void;
}

/**
 * Validates a WebSocket upgrade request and answers `101 Switching Protocols`. Returns false (the
 * socket has been answered 400 and ended) when the request is not a valid version-13 handshake.
 */
export function acceptUpgrade(request: IncomingMessage, socket: Duplex): boolean {
  const key = request.headers['sec-websocket-key'];
  const valid =
    request.method === 'GET' &&
    request.headers.upgrade?.toLowerCase() === 'websocket' &&
    request.headers['sec-websocket-version'] === '13' &&
    typeof key === 'string' &&
    KEY_PATTERN.test(key);
  if (!valid) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n');
    return false;
  }
  const accept = createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  return true;
}

/** XORs `length` bytes of `data` from `start` with the 4-byte `mask` found at `maskAt` in `source`. */
function unmask(data: Buffer, start: number, length: number, source: Buffer, maskAt: number): void {
  const m0 = source[maskAt]!;
  const m1 = source[maskAt + 1]!;
  const m2 = source[maskAt + 2]!;
  const m3 = source[maskAt + 3]!;
  if ((m0 | m1 | m2 | m3) === 0) return;
  let i = 0;
  const offset = data.byteOffset + start;
  if ((offset & 3) === 0 && length >= 16) {
    // Four bytes at a time through an aligned 32-bit view (little-endian load of the mask).
    const words = new Uint32Array(data.buffer, offset, length >>> 2);
    const mask = (m0 | (m1 << 8) | (m2 << 16) | (m3 << 24)) >>> 0;
    for (let w = 0; w < words.length; w++) words[w]! ^= mask;
    i = words.length << 2;
  }
  for (; i < length; i++) data[start + i]! ^= source[maskAt + (i & 3)]!;
}

function frameHeader(opcode: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(headerLengthOf(length));
  writeFrameHeader(header, opcode, length);
  return header;
}

function headerLengthOf(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/** Writes a final, unmasked frame's header (`opcode`, payload of `length` bytes) at the start of `target`. */
function writeFrameHeader(target: Buffer, opcode: number, length: number): void {
  target[0] = 0x80 | opcode;
  if (length < 126) target[1] = length;
  else if (length < 65536) {
    target[1] = 126;
    target.writeUInt16BE(length, 2);
  } else {
    target[1] = 127;
    target.writeUInt32BE(0, 2);
    target.writeUInt32BE(length, 6);
  }
}

/** Where a socket keeps its WebSocketConnection, for the shared listeners below. */
const CONNECTION = Symbol('webSocketConnection');
type ConnectionSocket = Socket & { [CONNECTION]?: WebSocketConnection<unknown> };

function onSocketData(this: ConnectionSocket, chunk: Buffer): void {
  this[CONNECTION]?.read(chunk);
}

function onSocketGone(this: ConnectionSocket): void {
  const connection = this[CONNECTION];
  if (connection === undefined) this.destroy();
  else connection.gone();
}

/** One accepted WebSocket, server side. `C` is the object handed back to the handler. */
export class WebSocketConnection<C = unknown> {
  /** Bytes received but not yet forming a whole frame. */
  private pending: Buffer | null = null;
  private fragments: Buffer[] | null = null;
  private fragmentBytes = 0;
  private closeSent = false;
  private ended = false;
  owner: C | null = null;

  constructor(
    readonly socket: Socket,
    private readonly maxPayload: number,
    private readonly handler: WebSocketHandler<C>,
  ) {
    // The socket's listeners are shared by every connection and find theirs on the socket: a
    // closure per listener (with its context) cost ~150 B of heap per connection.
    (socket as ConnectionSocket)[CONNECTION] = this;
    socket.on('data', onSocketData);
    socket.on('error', onSocketGone);
    socket.on('close', onSocketGone);
  }

  /** Starts reading; `head` is what arrived with the upgrade request. */
  start(owner: C, head: Buffer): void {
    this.owner = owner;
    if (head.length > 0) this.read(head);
  }

  get isOpen(): boolean {
    return !this.closeSent && !this.ended;
  }

  /** Bytes written but not yet flushed to the network (for slow-consumer checks). */
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  /** Sends a text message given as a wire string (one character per byte): header and payload in one buffer, one write. */
  sendText(wire: string): void {
    if (!this.isOpen) return;
    const { frame, headerLength } = textFrame(wire.length);
    frame.write(wire, headerLength, wire.length, 'latin1');
    this.socket.write(frame);
  }

  /**
   * Sends the wire strings `parts` as one text message, each written straight into the frame: no
   * joined copy of the message is made (a sliced string, such as an offer cut from the announce that
   * carried it, is read where it lies).
   */
  sendTextParts(parts: readonly string[]): void {
    if (!this.isOpen) return;
    let length = 0;
    for (let i = 0; i < parts.length; i++) length += parts[i]!.length;
    const { frame, headerLength } = textFrame(length);
    let offset = headerLength;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      offset += frame.write(part, offset, part.length, 'latin1');
    }
    this.socket.write(frame);
  }

  /** Sends bytes that are already UTF-8 text (relayed frames) as a text message. */
  sendTextBytes(payload: Buffer): void {
    if (!this.isOpen) return;
    this.socket.write(Buffer.concat([frameHeader(OPCODE.text, payload.length), payload]));
  }

  /** Starts the close handshake; the socket is ended once the close frame is written. */
  close(code: number, reason = ''): void {
    if (this.closeSent || this.ended) return;
    this.closeSent = true;
    const reasonBytes = Buffer.from(reason.slice(0, 120));
    const payload = Buffer.allocUnsafe(2 + reasonBytes.length);
    payload.writeUInt16BE(code, 0);
    reasonBytes.copy(payload, 2);
    this.socket.end(Buffer.concat([frameHeader(OPCODE.close, payload.length), payload]));
    this.socket.setTimeout(CLOSE_TIMEOUT_MS, () => this.socket.destroy());
    this.finish(code, reason, false);
  }

  /** Drops the connection at once, without a close frame. */
  terminate(): void {
    this.socket.destroy();
    this.finish(WS_CLOSE.abnormal, '', false);
  }

  private finish(code: number, reason: string, byPeer: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.pending = null;
    this.fragments = null;
    this.socket.off('data', onSocketData);
    if (this.owner !== null) this.handler.onClose(this.owner, code, reason, byPeer);
  }

  /** @internal The socket closed or failed (see onSocketGone). */
  gone(): void {
    if (!this.ended) this.finish(WS_CLOSE.abnormal, '', true);
    this.socket.destroy();
  }

  private fail(code: number, reason: string): void {
    this.close(code, reason);
  }

  /** @internal Bytes from the socket (see onSocketData). */
  read(chunk: Buffer): void {
    let buffer = chunk;
    if (this.pending !== null) {
      buffer = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    let offset = 0;
    while (!this.ended && !this.closeSent) {
      const available = buffer.length - offset;
      if (available < 2) break;
      const b0 = buffer[offset]!;
      const b1 = buffer[offset + 1]!;
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      if ((b0 & 0x70) !== 0) return this.fail(WS_CLOSE.protocolError, 'reserved bits set');
      if ((b1 & 0x80) === 0) return this.fail(WS_CLOSE.protocolError, 'client frames must be masked');
      let length = b1 & 0x7f;
      let headerLength = 2;
      if (length === 126) {
        if (available < 4) break;
        length = buffer.readUInt16BE(offset + 2);
        headerLength = 4;
      } else if (length === 127) {
        if (available < 10) break;
        if (buffer.readUInt32BE(offset + 2) !== 0) return this.fail(WS_CLOSE.messageTooBig, 'message too big');
        length = buffer.readUInt32BE(offset + 6);
        headerLength = 10;
      }
      const control = opcode >= 0x8;
      if (control && (length > 125 || !fin)) return this.fail(WS_CLOSE.protocolError, 'bad control frame');
      // Checked before the payload is buffered, so a huge declared length costs nothing.
      if (!control && this.fragmentBytes + length > this.maxPayload) return this.fail(WS_CLOSE.messageTooBig, 'message too big');
      const frameLength = headerLength + 4 + length;
      if (available < frameLength) break;
      const maskAt = offset + headerLength;
      const start = maskAt + 4;
      unmask(buffer, start, length, buffer, maskAt);
      const payload = buffer.subarray(start, start + length);
      offset += frameLength;
      this.onFrame(fin, opcode, payload);
    }
    if (!this.ended && !this.closeSent && offset < buffer.length) {
      // Copy, so a large socket chunk is not retained for a few leftover bytes.
      this.pending = Buffer.from(buffer.subarray(offset));
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OPCODE.text:
      case OPCODE.binary:
        if (this.fragments !== null) return this.fail(WS_CLOSE.protocolError, 'expected a continuation frame');
        if (fin) return this.deliver(payload);
        this.fragments = [Buffer.from(payload)];
        this.fragmentBytes = payload.length;
        return;
      case OPCODE.continuation: {
        if (this.fragments === null) return this.fail(WS_CLOSE.protocolError, 'unexpected continuation frame');
        this.fragments.push(Buffer.from(payload));
        this.fragmentBytes += payload.length;
        if (!fin) return;
        const message = Buffer.concat(this.fragments, this.fragmentBytes);
        this.fragments = null;
        this.fragmentBytes = 0;
        return this.deliver(message);
      }
      case OPCODE.ping:
        this.socket.write(Buffer.concat([frameHeader(OPCODE.pong, payload.length), payload]));
        return;
      case OPCODE.pong:
        return;
      case OPCODE.close: {
        if (payload.length === 1) return this.fail(WS_CLOSE.protocolError, 'bad close frame');
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : WS_CLOSE.normal;
        const reason = payload.length > 2 ? payload.subarray(2).toString() : '';
        // Echo the close (RFC 6455 §5.5.1), then the peer's code is what we report.
        this.closeSent = true;
        const echo = Buffer.allocUnsafe(2);
        echo.writeUInt16BE(payload.length >= 2 ? code : WS_CLOSE.normal, 0);
        this.socket.end(Buffer.concat([frameHeader(OPCODE.close, 2), echo]));
        this.socket.setTimeout(CLOSE_TIMEOUT_MS, () => this.socket.destroy());
        this.finish(payload.length >= 2 ? code : 1005, reason, true);
        return;
      }
      default:
        this.fail(WS_CLOSE.protocolError, 'unknown opcode');
    }
  }

  private deliver(message: Buffer): void {
    if (!isUtf8(message)) return this.fail(WS_CLOSE.invalidPayload, 'invalid UTF-8');
    if (this.owner !== null) this.handler.onMessage(this.owner, message.toString('latin1'));
  }
}

/** A text frame for a payload of `length` bytes: its header written, the payload's space after it. */
function textFrame(length: number): { frame: Buffer; headerLength: number } {
  const headerLength = headerLengthOf(length);
  const frame = Buffer.allocUnsafe(headerLength + length);
  writeFrameHeader(frame, OPCODE.text, length);
  return { frame, headerLength };
}
