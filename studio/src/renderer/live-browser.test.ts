// The live panel in real Chromium against the real engine (browser-only mode), pushing the test pattern
// with real ffmpeg to a real HTTP ingest peer that follows the origin's contract.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@spherecast/shared/testing';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { StudioServer } from '../engine/http/studio-server.ts';
import { TestIngestServer } from '../engine/live/test-ingest-server.ts';
import { StudioEngine } from '../engine/studio-engine.ts';

const studioRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('Studio live panel in the browser', () => {
  let dir: string;
  let engine: StudioEngine;
  let server: StudioServer;
  let ingest: TestIngestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-live-browser-'));
    const rendererDir = path.join(dir, 'web');
    await build({ configFile: path.join(studioRoot, 'vite.web.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, sourcemap: false } });
    engine = new StudioEngine({ dataDir: path.join(dir, 'data'), warn: () => undefined });
    await engine.start();
    server = new StudioServer({ engine, rendererDir, logError: (message) => console.error(message) });
    await server.start();
    ingest = new TestIngestServer({ dir: path.join(dir, 'ingest') });
    await ingest.start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => console.error('page error:', error.message));
    await page.goto(server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.destroy();
    await engine?.destroy();
    await ingest?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('goes live with the test pattern on a channel by its stream key, shows health and viewers, and ends', async () => {
    const channel = ingest.openChannel();
    ingest.setViewers(2);
    await page.getByRole('button', { name: 'Live', exact: true }).click();
    await page.getByTestId('no-devices').waitFor();
    // A <label> around a <select> also holds its options' text: find the selects by name.
    await page.locator('select[name="source"]').selectOption('test');
    await page.locator('select[name="testWidth"]').selectOption('256');
    await page.getByLabel('Title').fill('Reef cam');
    await page.getByLabel('Origin URL').fill(ingest.url);
    await page.getByLabel('Channel id').fill(channel.id);
    await page.getByLabel('Stream key').fill(channel.streamKey);
    await page.getByRole('button', { name: 'Go live' }).click();

    const health = page.getByTestId('live-health');
    await health.and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
    await page.getByTestId('live-viewers').filter({ hasText: '2' }).waitFor({ timeout: 15_000 });
    await page
      .getByTestId('live-uploaded')
      .filter({ hasText: /^([3-9]|\d\d+) segments/ })
      .waitFor({ timeout: 30_000 });
    assert.match((await page.getByTestId('live-step').textContent()) ?? '', /On air/);

    await page.getByRole('button', { name: 'End broadcast' }).click();
    await health.and(page.locator('[data-state="ended"]')).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Go live' }).waitFor();
    const rung = engine.live.status()?.health.rungs[0];
    assert.ok(rung);
    const numbers = ingest.segmentsOf(channel.id, rung);
    assert.ok(numbers.length >= 3);
    assert.deepEqual(
      numbers,
      numbers.map((_, i) => i),
      'every segment arrived, in order',
    );
  });

  it('says why it cannot go live with a wrong stream key', async () => {
    const channel = ingest.openChannel();
    await page.getByLabel('Channel id').fill(channel.id);
    await page.getByLabel('Stream key').fill('wrong-key');
    await page.getByRole('button', { name: 'Go live' }).click();
    await page
      .getByTestId('live-health')
      .and(page.locator('[data-state="ended"]'))
      .getByRole('alert')
      .filter({ hasText: /refused the stream key.*HTTP 401/ })
      .waitFor({ timeout: 60_000 });
  });
});
