import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateEquirectFixture, transcodeLadder } from '@spherecast/shared/media';
import { publishToOrigin } from '../client/publish/index.ts';
import { z } from 'zod';
import { hashPassword } from '../domains/auth/passwords.ts';
import { createSession, revokeSession } from '../core/sessions.ts';
import type { Origin } from '../origin.ts';

export const DEMO_USERNAME = 'demo';
const DEMO_TITLE = 'Spherecast demo: a 360° test pattern';
/**
 * Small enough that the demo is playable well within a minute of the first `npm start` on a busy
 * 2-core machine (24 s of seeding measured at load 18, 51 s from `npm start`), still a real ladder:
 * two H.264 rungs, 2 s segments, audio.
 * Real uploads get the full planned ladder.
 */
const DEMO_SECONDS = 12;
const DEMO_SOURCE_WIDTH = 1280;
const DEMO_EYE_WIDTHS = [1280, 768];
const DEMO_PRESET = 'superfast';
const credentialsSchema = z.object({ username: z.string(), password: z.string() });

export interface DemoInfo {
  contentId: string;
  masterUrl: string;
  username: string;
  password: string;
  credentialsFile: string;
}

/** The demo creator's password is random per installation and kept (mode 0600) in DATA_DIR. */
async function demoCredentials(dataDir: string): Promise<{ file: string; username: string; password: string; fresh: boolean }> {
  const file = path.join(dataDir, 'demo-credentials.json');
  try {
    const saved = credentialsSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    return { file, ...saved, fresh: false };
  } catch {
    const password = randomBytes(12).toString('base64url');
    await writeFile(file, JSON.stringify({ username: DEMO_USERNAME, password }, null, 2), { mode: 0o600 });
    return { file, username: DEMO_USERNAME, password, fresh: true };
  }
}

async function masterUrlOf(origin: Origin, contentId: string): Promise<string> {
  const row = await origin.services.prisma.content.findUniqueOrThrow({ where: { id: contentId }, select: { publishedPath: true, masterFile: true } });
  // The demo clip is public: its media URL is plain.
  return `${origin.url}/media/${row.publishedPath}/${row.masterFile}`;
}

/**
 * Makes sure the demo creator and a ready demo 360 clip exist, publishing it as any creator would:
 * create the content, PUT every file of the ladder to /media, then finalize. Idempotent: a second
 * start finds the clip and does nothing.
 */
export async function seedDemo(origin: Origin, log: (message: string) => void): Promise<DemoInfo> {
  const { prisma } = origin.services;
  const credentials = await demoCredentials(origin.config.dataDir);
  let user = await prisma.user.findUnique({ where: { username: DEMO_USERNAME }, select: { id: true, username: true, role: true } });
  if (!user) {
    user = await prisma.user.create({
      data: {
        username: DEMO_USERNAME,
        email: 'demo@spherecast.invalid',
        displayName: 'Spherecast Demo',
        bio: 'The demo creator that `npm start` makes.',
        role: 'creator',
        passwordHash: await hashPassword(credentials.password),
      },
      select: { id: true, username: true, role: true },
    });
  } else if (credentials.fresh) {
    // The credentials file was lost: the new password must work.
    await prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(credentials.password) } });
  }
  const existing = await prisma.content.findFirst({ where: { ownerId: user.id, title: DEMO_TITLE, status: 'ready' }, select: { id: true } });
  if (existing) {
    return {
      contentId: existing.id,
      masterUrl: await masterUrlOf(origin, existing.id),
      username: credentials.username,
      password: credentials.password,
      credentialsFile: credentials.file,
    };
  }

  log('generating the demo 360 clip and publishing its HLS ladder (first start only)…');
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-demo-'));
  const session = await createSession(prisma, user.id, 3600_000, origin.services.now());
  try {
    // The same pipeline a creator's studio uses: media engine transcode, then publish over HTTP.
    const source = path.join(workDir, 'demo-source.mp4');
    const started = Date.now();
    const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
    log(`1/3 making a ${DEMO_SECONDS} s ${DEMO_SOURCE_WIDTH}x${DEMO_SOURCE_WIDTH / 2} equirectangular source with ffmpeg…`);
    // An intermediate: fast to make (linear v360, ultrafast at high quality), re-encoded by the ladder.
    await generateEquirectFixture({
      out: source,
      seconds: DEMO_SECONDS,
      width: DEMO_SOURCE_WIDTH,
      fps: 30,
      audio: true,
      interp: 'linear',
      videoPreset: 'ultrafast',
      crf: 16,
    });
    log(`2/3 transcoding the HLS ladder (${DEMO_EYE_WIDTHS.map((w) => `${w}x${w / 2}`).join(', ')})… (${elapsed()})`);
    let shown = 0;
    const ladder = await transcodeLadder({
      input: source,
      out: path.join(workDir, 'ladder'),
      eyeWidths: DEMO_EYE_WIDTHS,
      segmentSeconds: 2,
      preset: DEMO_PRESET,
      onProgress: (p) => {
        if (p.phase !== 'encode' || p.percent < shown + 25) return;
        shown = Math.floor(p.percent / 25) * 25;
        log(`   ${shown}%${p.etaSeconds === null ? '' : `, about ${Math.ceil(p.etaSeconds)} s left`}`);
      },
    });
    log(`3/3 publishing ${ladder.files.length} files to the origin… (${elapsed()})`);
    const published = await publishToOrigin({
      origin: origin.url,
      auth: { token: session.token },
      dir: ladder.outDir,
      content: {
        title: DEMO_TITLE,
        description: 'An equirectangular test pattern generated with ffmpeg: look around to check that the 360° view wraps cleanly.',
        tags: ['demo', 'test pattern', '360'],
        genre: 'demo',
        projection: 'equirectangular-mono',
        location: { placeName: 'Lisbon', latitude: 38.7223, longitude: -9.1393 },
      },
    });
    log(`published ${published.uploaded.length} files (${ladder.variants.length} renditions) in ${elapsed()}`);
    return {
      contentId: published.contentId,
      masterUrl: await masterUrlOf(origin, published.contentId),
      username: credentials.username,
      password: credentials.password,
      credentialsFile: credentials.file,
    };
  } finally {
    await revokeSession(prisma, session.sessionId, origin.services.now());
    await rm(workDir, { recursive: true, force: true });
  }
}
