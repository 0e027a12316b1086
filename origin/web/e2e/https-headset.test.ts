// A headset on the LAN: WebXR exists only in secure contexts, so the watch page must offer "Enter VR"
// over HTTPS at the machine's LAN address and cannot over plain HTTP there. Chromium plays the
// headset browser with Meta's WebXR emulation runtime (IWER, an emulated Quest 3) installed where
// the browser itself would expose navigator.xr. Loopback names do not count: Chromium treats
// http://127.0.0.1 and http://localhost as secure, so the test needs a non-loopback address.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '@spherecast/shared/testing';
import { createOrigin, loadOrCreateSelfSigned, type Origin, type TlsCertificate } from '@spherecast/origin';
import { TrackerServer } from '@spherecast/tracker';
import { ARTIFACTS, readOverlay } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { makeTestLadder } from './support/ladder.ts';
import { startStack, type Stack } from './support/stack.ts';

/** The first non-loopback IPv4 address of this machine, as a headset on the LAN would reach it. */
function lanAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const info of list ?? []) if (info.family === 'IPv4' && !info.internal && !info.address.startsWith('127.')) return info.address;
  }
  return undefined;
}

/** Chromium's --ignore-certificate-errors-spki-list value: base64 SHA-256 of the certificate's public key. */
function spkiHash(cert: string): string {
  return createHash('sha256')
    .update(createPublicKey(cert).export({ type: 'spki', format: 'der' }))
    .digest('base64');
}

const LAN = lanAddress();

describe(
  'headset on the LAN: HTTPS offers Enter VR',
  { skip: LAN ? false : 'no non-loopback IPv4 address on this machine (127.x and localhost are secure contexts even over http)' },
  () => {
    const lan = LAN ?? '';
    let stack: Stack;
    let certificate: TlsCertificate;
    let tracker: TrackerServer;
    let secureOrigin: Origin;
    let plainOrigin: Origin;
    let browser: Browser;
    let context: BrowserContext;
    let contentId: string;
    let iwerScript: string;

    before(async () => {
      await buildPlayerApp();
      // Published through the ordinary HTTP stack (Node's fetch does not trust the self-signed
      // certificate); the LAN origins below serve the same database and media folder.
      stack = await startStack();
      const ladder = await makeTestLadder(path.join(stack.workDir, 'ladder-work'), 6);
      const { token } = await stack.register('headset_creator');
      contentId = await stack.publish(token, ladder.dir, { title: 'Seen from a headset', durationSeconds: 6 });

      const dataDir = path.join(stack.workDir, 'data');
      // The certificate `HTTPS=true` makes: generated into DATA_DIR/tls for this machine's names and addresses.
      certificate = await loadOrCreateSelfSigned(path.join(dataDir, 'tls'));
      tracker = new TrackerServer({ port: 0, host: lan, logLevel: 'error', tls: { cert: certificate.cert, key: certificate.key } });
      await tracker.start();
      const shared = { host: lan, port: 0, dataDir, database: stack.origin.database, trackerUrl: undefined, seedDemo: false };
      secureOrigin = await createOrigin({ ...shared, tls: certificate, tracker });
      // The same tracker also answers WebSocket upgrades on the plain origin's port (as ws://).
      plainOrigin = await createOrigin({ ...shared, tls: null, https: false, tracker });

      const require = createRequire(import.meta.url);
      // IWER's UMD build defines globalThis.IWER. A browser exposes navigator.xr only in secure
      // contexts ([SecureContext] in the WebXR spec), so the emulated Quest is installed only there.
      iwerScript = `${await readFile(require.resolve('iwer/build/iwer.min.js'), 'utf8')}
;if (window.isSecureContext) { new IWER.XRDevice(IWER.metaQuest3).installRuntime({ forceInstall: true }); }`;

      await mkdir(ARTIFACTS, { recursive: true });
      // The generated certificate is trusted by its public key, as on a headset where the user accepted it;
      // other certificate errors still fail.
      browser = await launchChromium({ args: [`--ignore-certificate-errors-spki-list=${spkiHash(certificate.cert)}`] });
      context = await browser.newContext({ viewport: { width: 800, height: 600 } });
      await context.addInitScript({ content: iwerScript });
    });

    after(async () => {
      await context?.close().catch(() => undefined);
      await browser?.close();
      // The tracker first: its WebSockets on the origin's port keep that server open.
      await tracker?.destroy();
      await secureOrigin?.close();
      await plainOrigin?.close();
      await stack?.close();
    });

    /** Opens the watch page and returns the playback payload the page received and the WebSockets it opened. */
    async function openWatch(page: Page, base: string): Promise<{ trackerUrl: string | null; sockets: string[] }> {
      const sockets: string[] = [];
      page.on('websocket', (socket) => sockets.push(socket.url()));
      let trackerUrl: string | null = null;
      page.on('response', (response) => {
        // streaming.start may travel alone or in a batch with content.get (/trpc/content.get,streaming.start).
        if (!/\/trpc\/[^?]*streaming\.start|\/api\/streaming\//.test(response.url())) return;
        response
          .text()
          .then((text) => {
            const match = /"trackerUrl":("[^"]*"|null)/.exec(text);
            if (match?.[1]) trackerUrl = JSON.parse(match[1]) as string | null;
          })
          .catch(() => undefined);
      });
      await page.goto(`${base}/watch/${contentId}`);
      await page.waitForSelector('canvas.stage-canvas', { timeout: 30_000 });
      await page.waitForSelector('[data-testid="p2p-stats"]', { timeout: 30_000 });
      return {
        get trackerUrl() {
          return trackerUrl;
        },
        sockets,
      };
    }

    test('https://<LAN address>: a secure context, immersive-vr supported, Enter VR offered, tracker on wss://', async () => {
      assert.match(secureOrigin.url, /^https:/);
      const base = `https://${lan}:${secureOrigin.config.port}`;
      assert.equal(new URL(base).hostname, lan);
      const page = await context.newPage();
      const opened = await openWatch(page, base);
      assert.equal(await page.evaluate(() => window.isSecureContext), true);
      const supported = await page.evaluate(async () => {
        const xr = (navigator as Navigator & { xr?: { isSessionSupported(mode: string): Promise<boolean> } }).xr;
        return xr ? xr.isSessionSupported('immersive-vr') : 'no navigator.xr';
      });
      assert.equal(supported, true);
      await page.getByRole('button', { name: 'Enter VR' }).waitFor({ state: 'visible', timeout: 20_000 });
      await page.screenshot({ path: path.join(ARTIFACTS, 'https-headset-watch.png') });

      // The player was told the tracker on the origin's own port, over TLS, and reached it there.
      const expected = `wss://${lan}:${secureOrigin.config.port}/tracker`;
      const deadline = Date.now() + 20_000;
      while ((opened.trackerUrl === null || !opened.sockets.some((url) => url.startsWith(expected))) && Date.now() < deadline) await page.waitForTimeout(200);
      assert.equal(opened.trackerUrl, expected);
      assert.ok(
        opened.sockets.some((url) => url.startsWith(expected)),
        `WebSockets opened: ${JSON.stringify(opened.sockets)}`,
      );
      assert.ok(tracker.stats().totals.connectionsOpened >= 1, 'the tracker accepted the wss:// connection');
      // And the video itself streams over HTTPS from the LAN address.
      const playing = Date.now() + 30_000;
      while ((await readOverlay(page)).httpBytes === 0 && Date.now() < playing) await page.waitForTimeout(300);
      assert.ok((await readOverlay(page)).httpBytes > 0, 'no media bytes over HTTPS');
      await page.close();
    });

    test('http://<same LAN address>: not a secure context, no navigator.xr, no Enter VR', async () => {
      const base = `http://${lan}:${plainOrigin.config.port}`;
      const page = await context.newPage();
      const opened = await openWatch(page, base);
      const state = await page.evaluate(() => ({ secure: window.isSecureContext, xr: 'xr' in navigator, subtle: typeof crypto.subtle }));
      // crypto.subtle is missing too: peer segments are checked with @noble/hashes here.
      assert.deepEqual(state, { secure: false, xr: false, subtle: 'undefined' });
      // Give the stage the time it took to offer the button over HTTPS.
      await page.waitForTimeout(3000);
      assert.equal(await page.getByRole('button', { name: 'Enter VR' }).count(), 0);
      assert.equal(opened.trackerUrl, `ws://${lan}:${plainOrigin.config.port}/tracker`);
      await page.close();
    });
  },
);
