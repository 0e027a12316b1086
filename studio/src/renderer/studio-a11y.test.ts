// axe-core on every screen of the studio (browser-only mode, real engine, ffmpeg fixtures): the empty
// library, a wrong path, an open project on each tab (stitch check with its report, ladder, publish)
// and a finished job. No serious or critical WCAG 2.2 A/AA violation is allowed.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@spherecast/shared/testing';
import { axeViolations, describeViolations } from '@spherecast/shared/testing/axe';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { generateEquirectFixture } from '@spherecast/shared/media';
import { StudioServer } from '../engine/http/studio-server.ts';
import { StudioEngine } from '../engine/studio-engine.ts';

const studioRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('accessibility of the studio (axe-core in Chromium)', () => {
  let dir: string;
  let engine: StudioEngine;
  let server: StudioServer;
  let browser: Browser;
  let page: Page;
  let clipPath: string;
  const failures: string[] = [];

  async function audit(screen: string): Promise<void> {
    await page.waitForTimeout(200);
    const found = await axeViolations(page, 'serious');
    if (found.length > 0) failures.push(describeViolations(screen, found));
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-a11y-'));
    const rendererDir = path.join(dir, 'web');
    const [clip] = await Promise.all([
      generateEquirectFixture({ out: path.join(dir, 'media', 'reef dive.mp4'), seconds: 2, width: 512, fps: 15 }),
      build({ configFile: path.join(studioRoot, 'vite.web.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, sourcemap: false } }),
    ]);
    clipPath = clip.file;
    engine = new StudioEngine({ dataDir: path.join(dir, 'data'), warn: () => undefined });
    await engine.start();
    server = new StudioServer({ engine, rendererDir, logError: (message) => console.error(message) });
    await server.start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.destroy();
    await engine?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has no serious or critical violation on any screen', async () => {
    await page.getByText('No projects yet').waitFor();
    await audit('empty library');

    await page.getByLabel('Or open a file by its path on this computer').fill(path.join(dir, 'missing.mp4'));
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByText(/No file at .*missing\.mp4/).waitFor();
    await audit('library with an error');

    await page.getByLabel('Or open a file by its path on this computer').fill(clipPath);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByTestId('project-title').filter({ hasText: 'reef dive' }).waitFor();
    await page.getByText('Loading preview…').waitFor({ state: 'detached', timeout: 30_000 });
    await audit('project: stitch check tab');

    await page.getByTestId('run-check').click();
    await page.getByTestId('check-report').waitFor({ timeout: 120_000 });
    await audit('project: stitch check report');

    await page.getByRole('tab', { name: 'Ladder' }).click();
    await page.getByTestId('ladder-table').waitFor();
    await audit('project: ladder tab');

    await page.getByTestId('start-transcode').click();
    await page.getByTestId('job').first().and(page.locator('[data-state="done"]')).waitFor({ timeout: 180_000 });
    await audit('project: ladder tab with a finished job');

    await page.getByRole('tab', { name: 'Publish' }).click();
    await page
      .getByRole('button', { name: /Publish|Sign in/ })
      .first()
      .waitFor();
    await audit('project: publish tab');

    assert.equal(failures.length, 0, `\n${failures.join('\n')}`);
  });
});
