// The WebSocket layer against the `ws` client (an independent implementation) and hand-written
// frames for what no well-behaved client sends.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, Socket, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { acceptUpgrade, WebSocketConnection, type WebSocketHandler } from './websocket-connection.ts';

const MAX_PAYLOAD = 100_000;

interface Peer {
  readonly wire: WebSocketConnection<Peer>;
  readonly closes: { code: number; reason: string; byPeer: boolean }[];
}

describe('WebSocketConnection', () => {
  let server: Server;
  let url: string;
  let port: number;
  const peers: Peer[] = [];
  const handler: WebSocketHandler<Peer> = {
    onMessage(peer, text) {
      if (text === 'close-please') peer.wire.close(4001, 'as you wish');
      // Pieces cut from the received text (sliced strings), as the tracker relays offers.
      else if (text.startsWith('parts:'))
        peer.wire.sendTextParts(['{"echo":', text.slice(6, 6 + (text.length - 6) / 2), text.slice(6 + (text.length - 6) / 2), '', '}']);
      else peer.wire.sendText(`echo:${text}`);
    },
    onClose(peer, code, reason, byPeer) {
      peer.closes.push({ code, reason, byPeer });
    },
  };

  before(async () => {
    server = createServer();
    server.on('upgrade', (request, socket, head) => {
      if (!(socket instanceof Socket) || !acceptUpgrade(request, socket)) return;
      const peer: Peer = { wire: new WebSocketConnection<Peer>(socket, MAX_PAYLOAD, handler), closes: [] };
      peers.push(peer);
      peer.wire.start(peer, head);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    url = `ws://127.0.0.1:${port}`;
  });

  after(async () => {
    for (const peer of peers) peer.wire.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  async function client(): Promise<WebSocket> {
    const ws = new WebSocket(url, { perMessageDeflate: true });
    await once(ws, 'open');
    return ws;
  }

  async function reply(ws: WebSocket): Promise<string> {
    const [data] = (await once(ws, 'message')) as [Buffer];
    return data.toString();
  }
  it('gives every connection the same socket listeners, not closures of its own (heap per peer)', async () => {
    // A closure per listener, with its context, cost ~150 B per connection; named arrow functions
    // (class fields) renamed at run time by the TypeScript loader cost 256 B more each.
    const first = await client();
    const second = await client();
    first.send('hello');
    assert.equal(await reply(first), 'echo:hello');
    second.send('hello');
    assert.equal(await reply(second), 'echo:hello');
    const [a, b] = peers.slice(-2).map((peer) => peer.wire.socket);
    for (const event of ['data', 'error', 'close'] as const) {
      const mine = a!.listeners(event);
      assert.ok(mine.length >= 1, `no ${event} listener`);
      for (const listener of mine)
        assert.ok(b!.listeners(event).includes(listener), `the ${event} listener ${listener.name || '(anonymous)'} is one per connection`);
    }
    first.close();
    second.close();
  });

  it('echoes messages of every length encoding, including binary-string characters', async () => {
    const ws = await client();
    for (const text of ['hi', 'x'.repeat(300), 'y'.repeat(70_000), '\u00ff\u0080\u00e9 binary', 'ünïcødé ✓']) {
      ws.send(text);
      assert.equal(await reply(ws), `echo:${text}`);
    }
    ws.close();
  });

  it('sends a message given in pieces as one text message, in every length encoding', async () => {
    const ws = await client();
    for (const text of ['ab', 'x'.repeat(300), 'y'.repeat(70_000), '\u00ff\u0080\u00e9 binary ünïcødé ✓']) {
      ws.send(`parts:${text}`);
      assert.equal(await reply(ws), `{"echo":${text}}`);
    }
    ws.close();
  });

  it('reassembles a fragmented message', async () => {
    const ws = await client();
    ws.send('frag', { fin: false });
    ws.send('men', { fin: false });
    ws.send('ted', { fin: true });
    assert.equal(await reply(ws), 'echo:fragmented');
    ws.close();
  });

  it('answers a ping with a pong carrying the same payload', async () => {
    const ws = await client();
    ws.ping('are you there');
    const [payload] = (await once(ws, 'pong')) as [Buffer];
    assert.equal(payload.toString(), 'are you there');
    ws.close();
  });

  it('completes a close started by the client and reports its code', async () => {
    const ws = await client();
    ws.send('hello');
    await reply(ws);
    const peer = peers.at(-1)!;
    ws.close(4000, 'bye');
    const [code] = (await once(ws, 'close')) as [number];
    assert.equal(code, 4000);
    assert.deepEqual(peer.closes, [{ code: 4000, reason: 'bye', byPeer: true }]);
  });

  it('sends its own close code and reason', async () => {
    const ws = await client();
    ws.send('close-please');
    const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
    assert.equal(code, 4001);
    assert.equal(reason.toString(), 'as you wish');
  });

  it('closes with 1009 when a message, or the sum of its fragments, exceeds the limit', async () => {
    const big = await client();
    big.send('z'.repeat(MAX_PAYLOAD + 1));
    assert.equal(((await once(big, 'close')) as [number])[0], 1009);
    const fragmented = await client();
    fragmented.send('z'.repeat(60_000), { fin: false });
    fragmented.send('z'.repeat(60_000), { fin: true });
    assert.equal(((await once(fragmented, 'close')) as [number])[0], 1009);
    assert.deepEqual(peers.at(-1)!.closes, [{ code: 1009, reason: 'message too big', byPeer: false }]);
  });

  it('closes with 1007 on a text message that is not UTF-8', async () => {
    const ws = await client();
    ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    assert.equal(((await once(ws, 'close')) as [number])[0], 1007);
  });

  describe('hand-written frames', () => {
    async function rawHandshake(): Promise<{ socket: Socket; received: () => Buffer }> {
      const socket = connect(port, '127.0.0.1');
      let data = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
      });
      socket.write(
        'GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      while (!data.includes('\r\n\r\n')) await once(socket, 'data');
      const end = data.indexOf('\r\n\r\n') + 4;
      const head = data.subarray(0, end).toString();
      // The accept value of RFC 6455 §1.3's worked example.
      assert.match(head, /^HTTP\/1\.1 101 /);
      assert.match(head, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
      return { socket, received: () => data.subarray(end) };
    }

    function maskedFrame(text: string, opcode = 0x1, mask = [0x37, 0xfa, 0x21, 0x3d]): Buffer {
      const payload = Buffer.from(text);
      const frame = Buffer.alloc(2 + 4 + payload.length);
      frame[0] = 0x80 | opcode;
      frame[1] = 0x80 | payload.length;
      Buffer.from(mask).copy(frame, 2);
      for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i & 3]!;
      return frame;
    }

    async function closeCode(socket: Socket, received: () => Buffer): Promise<number> {
      if (!socket.closed) await once(socket, 'close');
      const frames = received();
      const at = frames.indexOf(0x88);
      assert.ok(at >= 0, 'a close frame was sent');
      return frames.readUInt16BE(at + 2);
    }

    it('reads a frame that arrives one byte at a time', async () => {
      const { socket, received } = await rawHandshake();
      const frame = maskedFrame('slow and steady');
      for (const byte of frame) {
        socket.write(Buffer.from([byte]));
        await new Promise((resolve) => setImmediate(resolve));
      }
      while (!received().toString().includes('echo:slow and steady')) await once(socket, 'data');
      assert.equal(received().subarray(2).toString(), 'echo:slow and steady');
      socket.destroy();
    });

    it('answers the messages of one chunk in order, and a close frame in the same chunk last', async () => {
      const { socket, received } = await rawHandshake();
      const texts = ['one', 'two', 'x'.repeat(100), 'four'];
      socket.write(Buffer.concat(texts.map((text) => maskedFrame(text))));
      const expected = texts.map((text) => `echo:${text}`);
      const echoes = (): string[] => {
        const frames: string[] = [];
        const data = received();
        for (let at = 0; at + 2 <= data.length;) {
          let length = data[at + 1]! & 0x7f;
          let header = 2;
          if (length === 126) [length, header] = [data.readUInt16BE(at + 2), 4];
          if (at + header + length > data.length) break;
          if ((data[at]! & 0x0f) === 0x1) frames.push(data.subarray(at + header, at + header + length).toString());
          at += header + length;
        }
        return frames;
      };
      while (echoes().length < texts.length) await once(socket, 'data');
      assert.deepEqual(echoes(), expected);

      // Messages and a close in one chunk: every answer, then the close echo.
      const second = await rawHandshake();
      second.socket.write(Buffer.concat([maskedFrame('a'), maskedFrame('b'), Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8])]));
      assert.equal(await closeCode(second.socket, second.received), 1000);
      const data = second.received();
      assert.equal(data.indexOf(0x88), data.length - 4, 'the close frame is the last thing sent');
      assert.ok(data.includes('echo:a') && data.indexOf('echo:a') < data.indexOf('echo:b'));
      socket.destroy();
    });

    it('closes with 1002 on an unmasked frame', async () => {
      const { socket, received } = await rawHandshake();
      socket.write(Buffer.concat([Buffer.from([0x81, 0x02]), Buffer.from('hi')]));
      assert.equal(await closeCode(socket, received), 1002);
    });

    it('closes with 1002 on reserved bits or an unknown opcode', async () => {
      const rsv = await rawHandshake();
      const frame = maskedFrame('x');
      frame[0] = frame[0]! | 0x40;
      rsv.socket.write(frame);
      assert.equal(await closeCode(rsv.socket, rsv.received), 1002);
      const unknown = await rawHandshake();
      unknown.socket.write(maskedFrame('x', 0x3));
      assert.equal(await closeCode(unknown.socket, unknown.received), 1002);
    });

    it('refuses a handshake without a valid key with HTTP 400', async () => {
      const socket = connect(port, '127.0.0.1');
      socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n');
      const [data] = (await once(socket, 'data')) as [Buffer];
      assert.match(data.toString(), /^HTTP\/1\.1 400 /);
      socket.destroy();
    });
  });
});
