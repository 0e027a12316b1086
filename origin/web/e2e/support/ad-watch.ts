// What a watch page shows of an ad (#14), read the way a test needs it: the ad overlay's attributes (the
// ad the player plays, and what the renderer draws of it), the element's clock, the live latency, and
// the brightness of the picture drawn on the stage.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { sleep } from './browser.ts';

const run = promisify(execFile);

/** A flat creative as an advertiser would upload it: an MP4 with H.264 video (15 fps, 640x360 unless given) and AAC audio. */
export async function makeFlatSpot(out: string, size: { width: number; height: number } = { width: 640, height: 360 }, seconds = 1.5): Promise<string> {
  await run(process.env.FFMPEG_PATH ?? 'ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size.width}x${size.height}:rate=15:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=660:sample_rate=48000:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', out],
  ]);
  return out;
}

export type AdView = {
  /** The ad playing (`<campaign id>:<creative id>`), or null while the content plays. */
  adId: string | null;
  /** flat or 360, as the asset list says. */
  form: string | null;
  /** What the renderer draws: its ad form, whether the virtual screen and the sphere are visible. */
  renderedForm: string | null;
  screen: string | null;
  sphere: string | null;
  /** The <video>'s clock: the ad's during a break, the content's otherwise. */
  time: number;
  paused: boolean;
  /** Live: seconds between now and the playhead's program date (the P2P overlay's data-latency-seconds). */
  latency: number | null;
  /** The LIVE badge is shown and says the playhead is at the live edge. */
  liveAtEdge: boolean;
  /** Date.now() in the page when this was read. */
  now: number;
};

export function readAdView(page: Page): Promise<AdView> {
  // No named inner functions here: tsx's esbuild would wrap them in a `__name` helper the page lacks.
  return page.evaluate(() => {
    const overlay = document.querySelector('[data-testid="ad-overlay"]');
    const video = document.querySelector('video');
    const latency = document.querySelector('[data-testid="p2p-stats"]')?.getAttribute('data-latency-seconds');
    return {
      adId: overlay?.getAttribute('data-ad-id') ?? null,
      form: overlay?.getAttribute('data-ad-form') ?? null,
      renderedForm: overlay?.getAttribute('data-rendered-form') ?? null,
      screen: overlay?.getAttribute('data-rendered-screen') ?? null,
      sphere: overlay?.getAttribute('data-rendered-sphere') ?? null,
      time: video?.currentTime ?? 0,
      paused: video?.paused ?? true,
      latency: latency ? Number(latency) : null,
      liveAtEdge: document.querySelector('[data-testid="live-badge"]')?.getAttribute('data-at-edge') === 'true',
      now: Date.now(),
    };
  });
}

/** An ad is on screen: the player plays it, the renderer draws it, and its frames advance. */
export const adPlaying = (v: AdView): boolean => v.form !== null && v.renderedForm !== null && v.time > 0.2 && !v.paused;

/**
 * Mean brightness (0-255) of the picture drawn on the stage's canvas: in its right-hand corners (the
 * page's own overlays, the P2P stats and the ad label, sit on the left) and in its middle. A flat ad
 * is drawn on a screen in the middle with the sphere dark around it; a 360 ad covers the whole view.
 */
export async function stageBrightness(page: Page): Promise<{ corners: number; middle: number }> {
  const png = await page.locator('canvas.stage-canvas').screenshot();
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const w = Math.floor(image.width / 10);
    const h = Math.floor(image.height / 10);
    const boxes = [
      [image.width - w, 0],
      [image.width - w, image.height - h],
      [Math.floor((image.width - w) / 2), Math.floor((image.height - h) / 2)],
    ];
    const means = boxes.map(([x, y]) => {
      const data = context.getImageData(x!, y!, w, h).data;
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) sum += (data[i]! + data[i + 1]! + data[i + 2]!) / 3;
      return sum / (data.length / 4);
    });
    return { corners: (means[0]! + means[1]!) / 2, middle: means[2]! };
  }, png.toString('base64'));
}

/** Reads until `ok`, every `everyMs`; fails with the last value read after `timeoutMs`. */
export async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(everyMs);
  }
}

export type CampaignFields = {
  name: string;
  shownAs: 'flat' | '360';
  /** The creative's video file, sent by the page with tus. */
  file: string;
  clickThroughUrl?: string;
  perViewerPerDay?: number;
  /** The form's "Streams" choice. */
  streams?: 'Live and VOD' | 'Live only' | 'VOD only';
};

/**
 * Creates a campaign from the advertiser's page (open at /ads) and waits until its card says the
 * creative is ready (uploaded and transcoded by the origin). Returns the campaign's id.
 */
export async function createCampaignOnPage(page: Page, fields: CampaignFields): Promise<string> {
  const form = page.getByTestId('campaign-form');
  await form.getByLabel('Name').fill(fields.name);
  await form.getByLabel('Shown as').selectOption(fields.shownAs);
  await form.getByLabel('Video file').setInputFiles(fields.file);
  if (fields.clickThroughUrl) await form.getByLabel('Click-through URL').fill(fields.clickThroughUrl);
  if (fields.perViewerPerDay) await form.getByLabel('Per viewer per day').fill(String(fields.perViewerPerDay));
  if (fields.streams) await form.getByLabel('Streams').selectOption({ label: fields.streams });
  await form.getByRole('button', { name: 'Create campaign' }).click();
  const card = page.getByTestId('campaign').filter({ hasText: fields.name });
  await card.getByText(`${fields.shownAs} creative: ready`).waitFor({ timeout: 120_000 });
  const id = await card.getAttribute('data-campaign-id');
  if (!id) throw new Error(`the card of ${fields.name} has no campaign id`);
  return id;
}
