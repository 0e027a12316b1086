import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { generateEquirectFixture, listFiles } from '@spherecast/shared/media';
import { createOrigin, type Origin } from '@spherecast/origin';
import { createOriginClient } from '@spherecast/origin/client';

const BIN = fileURLToPath(new URL('../../bin/spherecast-studio.mjs', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would; `whenRunning` gets the child to poke at (SIGINT). */
function cli(args: string[], options: { env?: NodeJS.ProcessEnv; whenRunning?: (child: ReturnType<typeof spawn>) => void } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    options.whenRunning?.(child);
  });
}

describe('spherecast-studio CLI', () => {
  let dir: string;
  let clean: string;
  let broken: string;
  let origin: Origin;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-cli-'));
    clean = path.join(dir, 'clean.mp4');
    broken = path.join(dir, 'broken-seam.mp4');
    await generateEquirectFixture({ out: clean, width: 1024, height: 512, seconds: 2 });
    await generateEquirectFixture({ out: broken, width: 1024, height: 512, seconds: 2, fault: 'seam-exposure', audio: false });
    // The real origin (embedded PGlite in a temp data folder) and a creator who publishes to it.
    origin = await createOrigin({
      port: 0,
      host: '127.0.0.1',
      dataDir: path.join(dir, 'origin'),
      databaseUrl: undefined,
      seedDemo: false,
      trackerUrl: 'ws://127.0.0.1:1/tracker',
    });
    await createOriginClient({ baseUrl: origin.url }).api.auth.register.mutate({ username: 'alice', email: 'alice@example.test', password: 'correct horse' });
  });
  after(async () => {
    await origin?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('--help lists the commands and the exit codes; an unknown option is a usage error (2)', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    for (const word of ['probe', 'check', 'transcode', 'publish', '130', 'cancelled']) assert.ok(help.stdout.includes(word), word);
    const usage = await cli(['transcode', clean, '--out', path.join(dir, 'x'), '--bogus']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /bogus/);
    const missing = await cli(['transcode', clean]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--out DIR is required/);
    assert.equal((await cli(['frobnicate', clean])).code, 2);
  });

  test('probe --json prints the probe; a missing file is an input error (3)', async () => {
    const run = await cli(['probe', clean, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const probe = JSON.parse(run.stdout) as { video: { width: number }; projection: { projection: string; inferred: boolean } };
    assert.equal(probe.video.width, 1024);
    assert.deepEqual([probe.projection.projection, probe.projection.inferred], ['equirectangular-mono', false]);
    const missing = await cli(['probe', path.join(dir, 'nope.mp4'), '--json']);
    assert.equal(missing.code, 3);
    assert.equal((JSON.parse(missing.stdout) as { error: { code: string } }).error.code, 'INPUT_NOT_FOUND');
  });

  test('check --json prints {checks: [{id, status, value, threshold, message}]}: a clean clip exits 0, a broken seam exits 1', async () => {
    const ok = await cli(['check', clean, '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    const report = JSON.parse(ok.stdout) as { checks: { id: string; status: string; value: unknown; threshold: unknown; message: string }[] };
    for (const c of report.checks)
      assert.deepEqual(
        Object.keys(c)
          .filter((k) => k !== 'picture')
          .sort(),
        ['id', 'message', 'status', 'threshold', 'value'],
      );
    assert.equal(report.checks.find((c) => c.id.includes('seam'))?.status, 'pass');

    const bad = await cli(['check', broken, '--json']);
    assert.equal(bad.code, 1);
    const badReport = JSON.parse(bad.stdout) as typeof report;
    assert.equal(badReport.checks.find((c) => c.id.includes('seam'))?.status, 'fail');
  });

  test('transcode FILE --out DIR writes DIR/master.m3u8; running it again without --overwrite is refused (3)', async () => {
    const out = path.join(dir, 'ladder');
    const run = await cli(['transcode', clean, '--out', out, '--segment', '1', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { master: string; variants: { name: string }[] };
    assert.equal(result.master, 'master.m3u8');
    assert.match(await readFile(path.join(out, 'master.m3u8'), 'utf8'), /^#EXTM3U/);
    assert.deepEqual(
      result.variants.map((v) => v.name),
      ['1024x512'],
    );
    const again = await cli(['transcode', clean, '--out', out]);
    assert.equal(again.code, 3);
    assert.match(again.stderr, /already exists/);
  });

  test('publish DIR uploads to the origin and finalizes (0); an unreachable origin is a network error (4)', async () => {
    const out = path.join(dir, 'to-publish');
    assert.equal((await cli(['transcode', clean, '--out', out, '--segment', '1'])).code, 0);
    const run = await cli(['publish', out, '--origin', origin.url, '--login', 'alice', '--title', 'From the CLI', '--tags', 'a,b', '--json'], {
      env: { SPHERECAST_PASSWORD: 'correct horse' },
    });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { contentId: string; uploaded: string[]; skipped: string[] };
    assert.deepEqual(result.uploaded, await listFiles(out));
    assert.deepEqual(result.skipped, []);
    const content = await createOriginClient({ baseUrl: origin.url }).api.content.get.query({ id: result.contentId });
    assert.equal(content.title, 'From the CLI');
    assert.deepEqual(content.tags, ['a', 'b']);
    assert.equal(content.status, 'ready');

    const wrong = await cli(['publish', out, '--origin', origin.url, '--login', 'alice', '--title', 'x', '--json'], {
      env: { SPHERECAST_PASSWORD: 'wrong horse' },
    });
    assert.equal(wrong.code, 4, wrong.stderr);
    assert.equal((JSON.parse(wrong.stdout) as { error: { code: string } }).error.code, 'ORIGIN_AUTH_FAILED');

    const down = await cli(['publish', out, '--origin', 'http://127.0.0.1:9', '--token', 't', '--title', 'x'], { env: {} });
    assert.equal(down.code, 4);
    assert.match(down.stderr, /Cannot reach the origin/);
  });

  test('Ctrl-C during a transcode exits 130 and leaves no output behind', async () => {
    const long = path.join(dir, 'long.mp4');
    await generateEquirectFixture({ out: long, width: 1024, height: 512, seconds: 8, audio: false });
    const out = path.join(dir, 'interrupted');
    const run = await cli(['transcode', long, '--out', out, '--preset', 'medium', '--json'], {
      whenRunning: (child) => {
        // Interrupt once ffmpeg is writing into the temp folder beside OUT.
        const poll = setInterval(() => {
          readdir(dir).then(
            (names) => {
              if (names.some((n) => n.startsWith('.interrupted.partial-'))) {
                clearInterval(poll);
                child.kill('SIGINT');
              }
            },
            // A failed listing is tried again on the next tick; the test's own timeout ends a stuck run.
            () => undefined,
          );
        }, 50);
        child.on('close', () => clearInterval(poll));
      },
    });
    assert.equal(run.code, 130, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { error: { code: string } }).error.code, 'CANCELLED');
    await assert.rejects(stat(out), { code: 'ENOENT' });
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.startsWith('.interrupted')),
      [],
    );
  });
});
