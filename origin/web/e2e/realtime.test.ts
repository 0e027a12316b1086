// Real time across two origin processes on one PostgreSQL (LISTEN/NOTIFY): two Chromium pages, each
// on its own origin, watch the same broadcast. Chat and reactions flow both ways, the viewer count
// counts both, an admin's alert posted through one origin shows on both pages (role=alert), a muted
// user's message is refused, and the watch page with chat and alert stays axe clean.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, describeViolations } from '@spherecast/shared/testing/axe';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { createSession, SESSION_COOKIE } from '../../src/core/sessions.ts';
import { TEST_SERVER_URL, testDatabaseKinds } from '../../src/test-support/databases.ts';
import { launchChromium } from './support/browser.ts';
import { buildPlayerApp } from './support/build-player.ts';

const CHILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/test-support/origin-child.ts');
const hasPostgres = (await testDatabaseKinds()).includes('postgres');

interface Running {
  url: string;
  child: ChildProcess;
  exited: Promise<unknown>;
}

async function startOrigin(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, SEED_DEMO: 'false', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the origin did not start within 60 s')), 60_000);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\S+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then(() => reject(new Error('the origin exited before listening')));
  });
  return { url, child, exited };
}

describe('real time across two origin processes (Chromium, PostgreSQL)', { skip: hasPostgres ? false : 'needs PostgreSQL' }, () => {
  const dbName = `spherecast_rt_${randomBytes(5).toString('hex')}`;
  let database: Database;
  let dataDirs: string[] = [];
  let origins: Running[] = [];
  let browser: Browser;
  let contexts: BrowserContext[] = [];
  let contentId: string;
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
    const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(TEST_SERVER_URL);
    url.pathname = `/${dbName}`;
    database = await openDatabase({ kind: 'postgres', url: url.toString() });
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
      origins.push(await startOrigin({ DATABASE_URL: url.toString(), DATA_DIR: dir }));
    }
    browser = await launchChromium();
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    for (const origin of origins) {
      origin.child.kill('SIGTERM');
      await origin.exited;
    }
    await database?.close();
    const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
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

    // An admin's alert through origin B shows on both pages, announced as an alert.
    const posted = await api(b, 'ops', 'POST', '/api/alerts', {
      headline: 'Severe weather warning',
      body: 'Thunderstorms reach the summit within the hour. Descend now.',
      severity: 'severe',
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    for (const page of [ben, anna]) {
      const alert = page.getByRole('alert').filter({ hasText: 'Severe weather warning' });
      await alert.waitFor({ timeout: 15_000 });
      // severe: not dismissible.
      assert.equal(await alert.getByRole('button').count(), 0);
    }

    const violations = await axeViolations(ben);
    assert.deepEqual(violations, [], describeViolations('watch page with chat and an alert', violations));
  });
});
