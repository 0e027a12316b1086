import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startCountingProxy, type CountingProxy } from './offload-proxy.ts';

let origin: Server;
let proxy: CountingProxy;

before(async () => {
  // An origin that fails one answer midway, after its headers and part of its body.
  origin = createServer((req, res) => {
    if (req.url === '/broken.m4s') {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.end(Buffer.alloc(5000));
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  proxy = await startCountingProxy(`http://127.0.0.1:${(origin.address() as AddressInfo).port}`);
});
after(async () => {
  await proxy.close();
  await new Promise((resolve) => origin.close(resolve));
});

test('an answer the origin cuts off midway ends the viewer’s response there; the proxy goes on counting', async () => {
  await assert.rejects(async () => {
    const broken = await fetch(`${proxy.url}/broken.m4s`);
    await broken.arrayBuffer();
  });
  const next = await fetch(`${proxy.url}/seg_1.m4s`);
  assert.equal((await next.arrayBuffer()).byteLength, 5000);
  assert.equal(proxy.segmentBytes, 6000);
});
