// The studio router through createCaller, on real files probed and transcoded by real ffmpeg.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TRPCError } from '@trpc/server';
import { generateEquirectFixture, generateEquirectPhoto, probeMedia } from '@spherecast/shared/media';
import { createOrigin } from '@spherecast/origin';
import { studioRouter } from './router.ts';
import { StudioEngine } from './studio-engine.ts';
import { createCallerFactory } from './trpc.ts';
import type { JobSnapshot } from './jobs/job-queue.ts';

const createCaller = createCallerFactory(studioRouter);

function callerFor(engine: StudioEngine) {
  return createCaller({ engine, mediaUrl: (id) => `/media/projects/${id}/source` });
}

async function rejectsWith(promise: Promise<unknown>, code: TRPCError['code'], message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TRPCError, `expected a TRPCError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('studio router', () => {
  let dir: string;
  let dataDir: string;
  let engine: StudioEngine;
  let caller: ReturnType<typeof callerFor>;
  let clip: string;
  let faulty: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-router-'));
    dataDir = path.join(dir, 'data');
    const [made, bad] = await Promise.all([
      generateEquirectFixture({ out: path.join(dir, 'clip.mp4'), seconds: 2, width: 512, fps: 15 }),
      generateEquirectFixture({ out: path.join(dir, 'seam.mp4'), seconds: 1, width: 1024, fps: 10, fault: 'seam-exposure', audio: false }),
    ]);
    clip = made.file;
    faulty = bad.file;
    engine = new StudioEngine({ dataDir, warn: () => undefined });
    await engine.start();
    caller = callerFor(engine);
  });

  after(async () => {
    await engine?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('projects', () => {
    it('refuses paths that are missing, folders or not media, saying what to do', async () => {
      await rejectsWith(caller.projects.add({ path: path.join(dir, 'nope.mp4') }), 'NOT_FOUND', /No file at .*nope\.mp4/);
      await rejectsWith(caller.projects.add({ path: dir }), 'BAD_REQUEST', /not a regular file/);
      const text = path.join(dir, 'notes.txt');
      await writeFile(text, 'not a video');
      await rejectsWith(caller.projects.add({ path: text }), 'UNPROCESSABLE_CONTENT', /notes\.txt/);
      await rejectsWith(caller.projects.add({ path: '   ' }), 'BAD_REQUEST', /path/);
      assert.deepEqual(await caller.projects.list(), []);
    });

    it('adds a video with its probe, serves it by id and keeps it across restarts', async () => {
      const relative = path.relative(process.cwd(), clip);
      const project = await caller.projects.add({ path: relative });
      assert.equal(project.sourcePath, clip, 'the path is resolved to an absolute one');
      assert.equal(project.name, 'clip');
      assert.equal(project.width, 512);
      assert.equal(project.height, 256);
      assert.equal(project.projection, 'equirectangular-mono');
      assert.equal(project.probe.projection.source, 'metadata');
      assert.equal(project.sourceUrl, `/media/projects/${project.id}/source`);
      assert.equal(project.checkReport, null);
      const saved = JSON.parse(await readFile(path.join(dataDir, 'projects', `${project.id}.json`), 'utf8')) as { sourcePath: string };
      assert.equal(saved.sourcePath, clip);

      const reopened = new StudioEngine({ dataDir, warn: () => undefined });
      await reopened.start();
      const again = await callerFor(reopened).projects.get({ id: project.id });
      assert.equal(again.probe.video.width, 512);
      await reopened.destroy();
      await caller.projects.remove({ id: project.id });
    });

    it('changes the projection the project uses', async () => {
      const project = await caller.projects.add({ path: clip });
      const changed = await caller.projects.setProjection({ id: project.id, projection: 'stereo-top-bottom' });
      assert.equal(changed.projection, 'stereo-top-bottom');
      assert.equal((await caller.projects.list()).find((p) => p.id === project.id)?.projection, 'stereo-top-bottom');
      await caller.projects.remove({ id: project.id });
    });

    it('rejects ids that are not project ids', async () => {
      await rejectsWith(caller.projects.get({ id: '../../etc/passwd' }), 'BAD_REQUEST', /project id/);
      await rejectsWith(caller.projects.get({ id: '6f1c1c4e-5b0e-4a53-9d1a-1f1f1f1f1f1f' }), 'NOT_FOUND', /not in the library/);
    });
  });

  describe('stitch check', () => {
    it('finds the exposure seam of a faulty clip, saves the report and points the preview at the wrap', async () => {
      const project = await caller.projects.add({ path: faulty });
      const report = await caller.check.run({ id: project.id });
      const exposure = report.checks.find((check) => check.id === 'seam-exposure');
      assert.ok(exposure, 'the report has a seam-exposure check');
      assert.notEqual(exposure.status, 'pass', `the seam is found (${exposure.message})`);
      assert.deepEqual(exposure.target && { yaw: exposure.target.yaw, pitch: exposure.target.pitch }, { yaw: 180, pitch: 0 });
      assert.ok(report.sampleTimes.length >= 1);
      const reloaded = await caller.projects.get({ id: project.id });
      assert.equal(reloaded.checkReport?.status, report.status);
      assert.ok(reloaded.checkReport?.checkedAt);
      await caller.projects.remove({ id: project.id });
    });
  });

  describe('ladder and jobs', () => {
    let projectId: string;

    before(async () => {
      projectId = (await caller.projects.add({ path: clip })).id;
    });

    it('plans a ladder and refuses edits the media engine or the source cannot take', async () => {
      const plan = await caller.ladder.plan({ id: projectId });
      assert.ok(plan && plan.rungs.length >= 1);
      assert.equal(plan.edited, false);
      await rejectsWith(caller.ladder.save({ id: projectId, rungs: [{ name: 'odd', width: 321, height: 160, videoBitrateKbps: 800 }] }), 'BAD_REQUEST', /even/);
      await rejectsWith(
        caller.ladder.save({ id: projectId, rungs: [{ name: 'big', width: 1024, height: 512, videoBitrateKbps: 800 }] }),
        'BAD_REQUEST',
        /larger than the source/,
      );
      await rejectsWith(
        caller.ladder.save({ id: projectId, rungs: [{ name: 'bad name!', width: 256, height: 128, videoBitrateKbps: 800 }] }),
        'BAD_REQUEST',
        /name/,
      );
      const edited = await caller.ladder.save({
        id: projectId,
        rungs: [
          { name: 'r256', width: 256, height: 128, videoBitrateKbps: 300 },
          { name: 'r192', width: 192, height: 96, videoBitrateKbps: 200 },
        ],
      });
      assert.equal(edited?.edited, true);
      assert.deepEqual(
        edited?.rungs.map((rung) => [rung.name, rung.width, rung.codec]),
        [
          ['r256', 256, 'h264'],
          ['r192', 192, 'h264'],
        ],
      );
    });

    it('transcodes the edited ladder with progress, then done, into OUT/master.m3u8', async () => {
      const abort = new AbortController();
      const seen: JobSnapshot[] = [];
      const watching = (async () => {
        const watcher = createCaller({ engine, mediaUrl: (id) => `/media/projects/${id}/source` }, { signal: abort.signal });
        for await (const job of await watcher.jobs.watch()) seen.push(job);
      })().catch(() => undefined);
      const job = await caller.jobs.start({ id: projectId });
      assert.equal(job.kind, 'transcode');
      const done = await engine.jobs.settled(job.id);
      abort.abort();
      await watching;
      assert.equal(done?.state, 'done', JSON.stringify(done?.error));
      const states = seen.filter((event) => event.id === job.id);
      assert.ok(
        states.some((event) => event.state === 'running' && event.progress !== null && event.progress > 0 && event.progress < 1),
        'progress was reported',
      );
      assert.equal(states.at(-1)?.state, 'done');
      const outputDir = done?.output?.outputDir;
      assert.ok(outputDir && existsSync(path.join(outputDir, 'master.m3u8')));
      const master = await readFile(path.join(outputDir, 'master.m3u8'), 'utf8');
      assert.match(master, /RESOLUTION=256x128/);
      assert.match(master, /RESOLUTION=192x96/);
      const files = await readdir(outputDir, { recursive: true });
      const firstSegment = files.find((file) => file.startsWith('r256') && /\.(m4s|ts|mp4)$/.test(file) && !file.includes('init'));
      assert.ok(firstSegment, `a segment of r256 exists (${files.join(', ')})`);
      const saved = await caller.jobs.list({ projectId });
      assert.equal(saved.find((entry) => entry.id === job.id)?.state, 'done');
    });

    it('cancels a running transcode: ffmpeg stops and no output is left', async () => {
      await caller.ladder.reset({ id: projectId });
      const job = await caller.jobs.start({ id: projectId });
      while (engine.jobs.get(job.id)?.state === 'queued') await new Promise((resolve) => setTimeout(resolve, 10));
      await caller.jobs.cancel({ jobId: job.id });
      const finished = await engine.jobs.settled(job.id);
      assert.equal(finished?.state, 'cancelled');
      assert.equal(existsSync(engine.outputDirFor(projectId, job.id)), false);
      await rejectsWith(caller.jobs.cancel({ jobId: job.id }), 'CONFLICT', /already cancelled/);
    });

    it('removing a project deletes its outputs but not its source', async () => {
      await caller.projects.remove({ id: projectId });
      assert.equal(existsSync(path.join(engine.outputsDir, projectId)), false);
      assert.ok(existsSync(clip));
      assert.ok((await probeMedia(clip)).durationSeconds);
    });
  });

  describe('uploads', () => {
    it('deletes an uploaded copy with its project', async () => {
      const uploads = path.join(dataDir, 'uploads', 'manual');
      await mkdir(uploads, { recursive: true });
      const copy = path.join(uploads, 'copy.mp4');
      await writeFile(copy, await readFile(clip));
      const project = await caller.projects.add({ path: copy });
      await caller.projects.remove({ id: project.id });
      assert.equal(existsSync(copy), false);
    });
  });

  describe('publish', () => {
    it('refuses to publish before signing in', async () => {
      await rejectsWith(
        caller.publish.start({ projectId: '6f1c1c4e-5b0e-4a53-9d1a-1f1f1f1f1f1f', jobId: 'x', metadata: { title: 'A' } }),
        'UNAUTHORIZED',
        /Sign in/,
      );
      assert.equal(await caller.origin.session(), null);
    });

    it('explains an origin that cannot be reached', async () => {
      await rejectsWith(caller.origin.signIn({ originUrl: 'http://127.0.0.1:1', login: 'a', password: 'b' }), 'BAD_GATEWAY', /Could not reach/);
      await rejectsWith(caller.origin.signIn({ originUrl: 'ftp://example.org', login: 'a', password: 'b' }), 'BAD_REQUEST', /http/);
    });
  });

  describe('photos and publishing to a real origin', () => {
    let origin: Awaited<ReturnType<typeof createOrigin>>;
    let photoProjectId: string;
    let photoJobId: string;

    before(async () => {
      const originDir = path.join(dir, 'origin');
      origin = await createOrigin({
        port: 0,
        host: '127.0.0.1',
        dataDir: originDir,
        mediaDir: path.join(originDir, 'media'),
        databaseUrl: undefined,
        seedDemo: false,
        trackerUrl: 'ws://127.0.0.1:1/tracker',
      });
      const register = await fetch(`${origin.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'maker', email: 'maker@example.test', password: 'correct-horse-1', role: 'creator' }),
      });
      assert.equal(register.status, 200, await register.clone().text());
    });

    after(async () => {
      await origin?.close();
    });

    it('renders the rungs of a 360° photo as a job', async () => {
      const photo = await generateEquirectPhoto({ out: path.join(dir, 'pano.jpg'), width: 1024 });
      const project = await caller.projects.add({ path: photo.file });
      photoProjectId = project.id;
      assert.equal(project.isStill, true);
      assert.equal(await caller.ladder.plan({ id: project.id }), null, 'photos have no bitrate ladder');
      const job = await caller.jobs.start({ id: project.id });
      assert.equal(job.kind, 'photo');
      const done = await engine.jobs.settled(job.id);
      assert.equal(done?.state, 'done', JSON.stringify(done?.error));
      assert.ok(done?.output?.outputDir && existsSync(path.join(done.output.outputDir, 'photo.json')));
      photoJobId = job.id;
    });

    it('signs in (the token stays in the engine) and refuses a wrong password with what to do', async () => {
      await rejectsWith(
        caller.origin.signIn({ originUrl: origin.url, login: 'maker', password: 'wrong-password' }),
        'BAD_REQUEST',
        /did not accept that username\/email and password/,
      );
      const session = await caller.origin.signIn({ originUrl: `${origin.url}/`, login: 'maker@example.test', password: 'correct-horse-1' });
      assert.equal(session.username, 'maker');
      assert.equal(session.originUrl, origin.url, 'the address is stored without a trailing slash');
      assert.equal(JSON.stringify(await caller.origin.session()).includes('token'), false, 'the renderer never sees the token');
    });

    it('publishes the photo with its metadata; the origin serves it as ready content', async () => {
      await rejectsWith(
        caller.publish.start({ projectId: photoProjectId, jobId: 'not-a-job', metadata: { title: 'Pano' } }),
        'PRECONDITION_FAILED',
        /finished transcode/,
      );
      const job = await caller.publish.start({
        projectId: photoProjectId,
        jobId: photoJobId,
        metadata: {
          title: 'Harbour panorama',
          description: 'Morning light',
          tags: ['Harbour', 'morning'],
          genre: 'travel',
          location: { placeName: 'Lisbon', latitude: 38.72, longitude: -9.14 },
        },
      });
      const done = await engine.jobs.settled(job.id);
      assert.equal(done?.state, 'done', JSON.stringify(done?.error));
      const contentId = done?.output?.contentId;
      assert.ok(contentId);
      assert.equal(done?.output?.contentUrl, `${origin.url}/content/${contentId}`);
      const response = await fetch(`${origin.url}/api/content/${contentId}`);
      assert.equal(response.status, 200);
      const content = (await response.json()) as {
        title: string;
        kind: string;
        status: string;
        tags: string[];
        genre: string | null;
        location: { placeName: string } | null;
      };
      assert.equal(content.title, 'Harbour panorama');
      assert.equal(content.kind, 'photo');
      assert.equal(content.status, 'ready');
      assert.deepEqual(content.tags, ['harbour', 'morning']);
      assert.equal(content.genre, 'travel');
      assert.equal(content.location?.placeName, 'Lisbon');
      await caller.origin.signOut();
      assert.equal(await caller.origin.session(), null);
    });
  });
});
