import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, describeViolations } from '@spherecast/shared/testing/axe';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { createSession, SESSION_COOKIE } from '../../src/core/sessions.ts';
import { createServerDatabase, testDatabaseKinds } from '../../src/test-support/databases.ts';
import { killOriginProcess, startOriginProcess, type OriginProcess } from '../../src/test-support/origin-process.ts';
import { launchChromium } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';
import { LEAN_LIVE, LiveCli } from './support/live-cli.ts';

const hasPostgres = (await testDatabaseKinds()).includes('postgres');
type Running = OriginProcess;

describe('real time across two origin processes (Chromium, PostgreSQL)', { skip: hasPostgres ? false : 'needs PostgreSQL' }, () => {
  let server: { url: string; drop: () => Promise<void> };
  let database: Database;
  let dataDirs: string[] = [];
  let origins: Running[] = [];
  let browser: Browser;
  let contexts: BrowserContext[] = [];
  let contentId: string;
  let cli: LiveCli | null = null;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  const openPage = async (origin: Running, user: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    await context.addCookies([{ name: SESSION_COOKIE, value: tokens[user]!, url: origin.url }]);
    const page = await context.newPage();
    await page.goto(`${origin.url}/watch/${contentId}`);
    await page.getByTestId('chat-panel').waitFor({ timeout: 30_000 });
    await page.waitForSelector('[data-testid="chat-panel"][data-connected="true"]', { timeout: 30_000 });
    return page;
  };
  const api = async (origin: Running, user: string, method: string, pathname: string, body: unknown) => {
    const response = await fetch(`${origin.url}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { message?: string } };
  };

  before(async () => {
    await buildPlayerApp();
    server = await createServerDatabase('spherecast_rt');
    database = await openDatabase({ kind: 'postgres', url: server.url });
    for (const [username, role] of [
      ['anna', 'creator'],
      ['ben', 'viewer'],
      ['troll', 'viewer'],
      ['ops', 'admin'],
    ] as const) {
      const user = await database.prisma.user.create({
        data: { username, email: `${username}@example.test`, displayName: username[0]!.toUpperCase() + username.slice(1), role, passwordHash: 'x' },
        select: { id: true },
      });
      ids[username] = user.id;
      tokens[username] = (await createSession(database.prisma, user.id, 3600_000, new Date())).token;
    }
    const content = await database.prisma.content.create({
      data: { ownerId: ids.anna!, kind: 'live', status: 'live', title: 'Sunrise from the summit', publishedAt: new Date() },
      select: { id: true },
    });
    contentId = content.id;
    for (let i = 0; i < 2; i++) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-rt-'));
      dataDirs.push(dir);
      origins.push(await startOriginProcess({ DATABASE_URL: server.url, DATA_DIR: dir }));
    }
    browser = await launchChromium();
  });

  after(async () => {
    cli?.kill();
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    for (const origin of origins) await killOriginProcess(origin);
    await database?.close();
    await server?.drop();
    for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
    origins = [];
    dataDirs = [];
    contexts = [];
  });

  test('chat, reactions, viewer counts and an alert reach pages on both origins', async () => {
    const [a, b] = origins as [Running, Running];
    const ben = await openPage(a, 'ben');
    const anna = await openPage(b, 'anna');

    // Both pages count both viewers, each hearing of the other through the other origin.
    for (const page of [ben, anna]) await page.waitForSelector('[data-testid="viewer-count"][data-count="2"]', { timeout: 30_000 });

    // Chat both ways.
    await ben.getByRole('textbox', { name: 'Chat message' }).fill('Hello from origin A');
    await ben.getByRole('button', { name: 'Send' }).click();
    await anna.getByTestId('chat-message').filter({ hasText: 'Hello from origin A' }).waitFor({ timeout: 15_000 });
    await anna.getByRole('textbox', { name: 'Chat message' }).fill('Welcome, from origin B');
    await anna.getByRole('button', { name: 'Send' }).click();
    await ben.getByTestId('chat-message').filter({ hasText: 'Welcome, from origin B' }).waitFor({ timeout: 15_000 });

    // A link is refused in the page, with the reason.
    await ben.getByRole('textbox', { name: 'Chat message' }).fill('buy at www.example.com');
    await ben.getByRole('button', { name: 'Send' }).click();
    await ben.getByRole('alert').filter({ hasText: /links/ }).waitFor({ timeout: 15_000 });

    // Reactions: taps on one origin are counted on the other page (summed per second by the origin).
    for (let i = 0; i < 3; i++) await ben.getByRole('button', { name: 'Wow' }).click();
    await anna.getByTestId('reaction-total-wow').filter({ hasText: /^3$/ }).waitFor({ timeout: 15_000 });
    await anna.getByRole('button', { name: 'Love' }).click();
    await ben.getByTestId('reaction-total-heart').filter({ hasText: /^1$/ }).waitFor({ timeout: 15_000 });

    // The creator mutes a user through origin B; that user's message through origin A is refused.
    assert.equal((await api(a, 'troll', 'POST', `/api/contents/${contentId}/chat`, { body: 'first!', streamTimeSeconds: 3 })).status, 200);
    await anna.getByTestId('chat-message').filter({ hasText: 'first!' }).waitFor({ timeout: 15_000 });
    await anna.getByRole('button', { name: 'Mute Troll' }).click();
    await anna.getByRole('button', { name: 'Unmute Troll' }).waitFor({ timeout: 15_000 });
    const refused = await api(a, 'troll', 'POST', `/api/contents/${contentId}/chat`, { body: 'let me in', streamTimeSeconds: 4 });
    assert.equal(refused.status, 403);
    assert.match(refused.body.message ?? '', /muted/);
    // ...and deletes the message on both pages.
    await anna.getByRole('button', { name: 'Delete message from Troll' }).click();
    await ben.getByTestId('chat-message').filter({ hasText: 'first!' }).waitFor({ state: 'detached', timeout: 15_000 });

    // An admin issues an alert from the Operations screen on origin B: it shows on both pages, announced as an alert.
    const opsContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(opsContext);
    await opsContext.addCookies([{ name: SESSION_COOKIE, value: tokens.ops!, url: b.url }]);
    const ops = await opsContext.newPage();
    await ops.goto(`${b.url}/admin`);
    const alertForm = ops.getByRole('form', { name: 'Issue an alert' });
    await alertForm.getByLabel('Headline').fill('Severe weather warning');
    await alertForm.getByLabel('Text').fill('Thunderstorms reach the summit within the hour. Descend now.');
    await alertForm.getByLabel('Severity').selectOption('severe');
    await alertForm.getByRole('button', { name: 'Issue alert' }).click();
    await ops
      .getByTestId('admin-alerts')
      .getByRole('row')
      .filter({ hasText: 'Severe weather warning' })
      .filter({ hasText: 'active' })
      .waitFor({ timeout: 15_000 });
    for (const page of [ben, anna]) {
      const alert = page.getByRole('alert').filter({ hasText: 'Severe weather warning' });
      await alert.waitFor({ timeout: 15_000 });
      // severe: not dismissible.
      assert.equal(await alert.getByRole('button').count(), 0);
    }
    const violations = await axeViolations(ben);
    assert.deepEqual(violations, [], describeViolations('watch page with chat and an alert', violations));

    // Ended from the same screen: it leaves both pages.
    await ops.getByRole('button', { name: 'End now: alert "Severe weather warning"' }).click();
    for (const page of [ben, anna]) await page.getByRole('alert').filter({ hasText: 'Severe weather warning' }).waitFor({ state: 'detached', timeout: 15_000 });
    await ops
      .getByTestId('admin-alerts')
      .getByRole('row')
      .filter({ hasText: 'Severe weather warning' })
      .filter({ hasText: 'ended' })
      .waitFor({ timeout: 15_000 });

    // Announcements: posted and ended from the same screen.
    const announcementForm = ops.getByRole('form', { name: 'Post an announcement' });
    await announcementForm.getByLabel('Title').fill('Summit webcam maintenance');
    await announcementForm.getByLabel('Text').fill('The summit camera is offline on Sunday morning.');
    await announcementForm.getByRole('button', { name: 'Post announcement' }).click();
    const row = ops.getByTestId('admin-announcements').getByRole('row').filter({ hasText: 'Summit webcam maintenance' });
    await row.filter({ hasText: 'active' }).waitFor({ timeout: 15_000 });
    await ops.getByRole('button', { name: 'End now: announcement "Summit webcam maintenance"' }).click();
    await row.filter({ hasText: 'ended' }).waitFor({ timeout: 15_000 });
    const opsViolations = await axeViolations(ops);
    assert.deepEqual(opsViolations, [], describeViolations('operations screen', opsViolations));
  });
  test('a live viewer in WebXR: a CAP extreme alert through the other origin shows as a panel in the scene and a slate in place of the broadcast, which returns when the operator ends it', async () => {
    const [a, b] = origins as [Running, Running];
    cli = new LiveCli([
      '--source',
      'test',
      '--origin',
      a.url,
      '--token',
      tokens.anna!,
      '--title',
      'Ridge live',
      '--duration',
      '240',
      '--segment',
      '1',
      ...LEAN_LIVE,
    ]);
    const channelId = String((await cli.waitFor((e) => e.event === 'channel', 60_000)).id);
    let live: { status: string; contentId: string } | null = null;
    for (const deadline = Date.now() + 90_000; Date.now() < deadline && live?.status !== 'live';) {
      const response = await fetch(`${a.url}/api/live/channels/${channelId}`, { headers: { authorization: `Bearer ${tokens.anna}` } });
      live = (await response.json()) as { status: string; contentId: string };
      if (live.status !== 'live') await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.equal(live?.status, 'live', 'the broadcast went on air');

    // An emulated Meta Quest 3 (IWER) in Chromium: 127.0.0.1 is a secure context, so WebXR is offered.
    const iwer = `${await readFile(createRequire(import.meta.url).resolve('iwer/build/iwer.min.js'), 'utf8')}
;new IWER.XRDevice(IWER.metaQuest3).installRuntime({ forceInstall: true });`;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    await context.addInitScript({ content: iwer });
    await context.addCookies([{ name: SESSION_COOKIE, value: tokens.ben!, url: a.url }]);
    const page = await context.newPage();
    await page.goto(`${a.url}/watch/${live.contentId}`);
    await page.waitForSelector('[data-testid="chat-panel"][data-connected="true"]', { timeout: 60_000 });
    const video = page.getByTestId('video');
    const playedTo = () => video.evaluate((v: HTMLVideoElement) => v.currentTime);
    const state = () =>
      page.evaluate(() => {
        const v = document.querySelector<HTMLVideoElement>('[data-testid="video"]');
        return {
          t: v?.currentTime ?? -1,
          readyState: v?.readyState ?? -1,
          paused: v?.paused,
          stage: document.querySelector('.stage')?.textContent?.slice(0, 300),
        };
      });
    for (const deadline = Date.now() + 90_000; (await state()).t <= 0.5;) {
      if (Date.now() > deadline) assert.fail(`the broadcast did not play: ${JSON.stringify(await state())}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // (dispatched: at this viewport the live controls' DVR slider overlaps the Enter VR button's hit area)
    await page.getByRole('button', { name: 'Enter VR' }).dispatchEvent('click');
    await page.getByRole('button', { name: 'Exit VR' }).waitFor({ timeout: 30_000 });

    const sent = new Date().toISOString().replace(/\.\d+Z$/, '-00:00');
    const expires = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, '-00:00');
    const cap = `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>RIDGE-1</identifier><sender>civil-protection@example.test</sender><sent>${sent}</sent>
  <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info><category>Fire</category><event>Wildfire</event><urgency>Immediate</urgency><severity>Extreme</severity><certainty>Observed</certainty>
    <expires>${expires}</expires><headline>Evacuate the ridge now</headline><description>A wildfire is spreading toward the ridge trail.</description></info>
</alert>`;
    const refused = await fetch(`${b.url}/api/alerts/cap`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.ops}`, 'content-type': 'application/xml' },
      body: cap.replace('<scope>Public</scope>', ''),
    });
    assert.equal(refused.status, 400, 'a document without <scope> is not CAP 1.2');
    const posted = await fetch(`${b.url}/api/alerts/cap`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.ops}`, 'content-type': 'application/xml' },
      body: cap,
    });
    const alert = (await posted.json()) as { id: string; severity: string; message?: string };
    assert.equal(posted.status, 201, alert.message);
    assert.equal(alert.severity, 'extreme');

    // In the headset: the renderer draws the alert panel in the scene; on the page: the slate replaces the picture.
    await page.waitForSelector(`.stage[data-xr-alert="${alert.id}"]`, { timeout: 30_000 });
    const slate = page.getByTestId('live-alert-slate');
    await slate.waitFor({ timeout: 30_000 });
    assert.match(await slate.innerText(), /Evacuate the ridge now/);
    assert.equal(await video.evaluate((v: HTMLVideoElement) => v.muted), true, 'the broadcast is muted under the slate');

    // The operator ends the alert through origin B: the slate and the panel go, the broadcast plays on.
    const ended = await fetch(`${b.url}/api/alerts/${alert.id}/expire`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.ops}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(ended.status, 200);
    await slate.waitFor({ state: 'detached', timeout: 30_000 });
    await page.waitForSelector('.stage:not([data-xr-alert])', { timeout: 30_000 });
    const resumedAt = await playedTo();
    await page.waitForFunction((t) => (document.querySelector<HTMLVideoElement>('[data-testid="video"]')?.currentTime ?? 0) > t + 1, resumedAt, {
      timeout: 60_000,
    });
    await page.getByRole('button', { name: 'Exit VR' }).dispatchEvent('click');
    cli.interrupt();
    await cli.exited;
    cli = null;
  });
});
