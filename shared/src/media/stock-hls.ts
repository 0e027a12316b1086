/**
 * For tests: plays an HLS ladder with stock hls.js (the published dist build, no Spherecast player
 * code) in real Chromium, and reports what hls.js and the browser's SourceBuffers saw.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { webContentType } from '../http/index.ts';

export interface StockHlsReport {
  /** hls.js error details in order (fatal or not), e.g. `bufferSeekOverHole`. */
  errors: { details: string; fatal: boolean }[];
  /** Start of each SourceBuffer's first buffered range (seconds), by the MIME type it was created with. */
  bufferStarts: { mime: string; start: number | null }[];
  /** hls.js `MANIFEST_PARSED` level count (0 when the master was refused). */
  levels: number;
  /** The video's currentTime after playing for a while. */
  currentTime: number;
}

const PAGE = `<!doctype html><html><body><video muted playsinline></video><script src="/hls.js"></script><script>
const added = [];
const original = MediaSource.prototype.addSourceBuffer;
MediaSource.prototype.addSourceBuffer = function (mime) { const sb = original.call(this, mime); added.push({ mime, sb }); return sb; };
window.report = { errors: [], levels: 0 };
const video = document.querySelector('video');
const hls = new Hls({ startPosition: 0 });
hls.on(Hls.Events.ERROR, (_, d) => window.report.errors.push({ details: d.details, fatal: d.fatal }));
hls.on(Hls.Events.MANIFEST_PARSED, (_, d) => { window.report.levels = d.levels.length; video.play().catch(() => {}); });
hls.loadSource(new URLSearchParams(location.search).get('master'));
hls.attachMedia(video);
window.snapshot = () => ({ ...window.report, currentTime: video.currentTime,
  bufferStarts: added.map(({ mime, sb }) => { try { return { mime, start: sb.buffered.length ? sb.buffered.start(0) : null }; } catch { return { mime, start: null }; } }) });
</script></body></html>`;

/** Serves `dir` plus the stock hls.js build and a page that plays `?master=`. */
async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const hlsJs = createRequire(import.meta.url).resolve('hls.js/dist/hls.js');
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const file = url.pathname === '/' ? null : url.pathname === '/hls.js' ? hlsJs : path.join(dir, decodeURIComponent(url.pathname));
      if (file && !path.resolve(file).startsWith(path.resolve(dir)) && file !== hlsJs) {
        res.writeHead(403).end();
        return;
      }
      try {
        const body = file ? await readFile(file) : Buffer.from(PAGE);
        if (file) await stat(file);
        res.writeHead(200, { 'content-type': webContentType(file ?? 'index.html') }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Plays `dir/master` with stock hls.js until `currentTime` passes `untilSeconds` (or 20 s pass). */
export async function playWithStockHls(browser: Browser, dir: string, master: string, untilSeconds = 1.5): Promise<StockHlsReport> {
  const { url, server } = await serve(dir);
  const page = await browser.newPage();
  try {
    await page.goto(`${url}/?master=${encodeURIComponent(`/${master}`)}`);
    await page.waitForFunction((t) => (document.querySelector('video')?.currentTime ?? 0) > t, untilSeconds, { timeout: 20_000 }).catch(() => undefined);
    return await page.evaluate<StockHlsReport>('window.snapshot()');
  } finally {
    await page.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
