import { on } from 'node:events';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { z } from 'zod';
import { listCaptureDevices, liveSourceSchema, resolveLiveSource, type CaptureDevice } from '@spherecast/shared/media';
import { StudioError, errorMessage } from '../errors.ts';
import { originUrlSchema } from '../publish/origin-session.ts';
import { channelStatus, createChannel, endChannel, hlsIngestUrlOf } from './ingest-client.ts';
import { LiveSession, type LiveHealth } from './live-session.ts';

export const liveStartInputSchema = z.object({
  source: liveSourceSchema,
  /** Title of a channel the studio opens on the signed-in origin. */
  title: z.string().trim().min(1, 'Give the broadcast a title.').max(200).optional(),
  /** Push to an existing channel with its stream key instead (no sign-in needed; ending then waits for the origin's grace period). */
  channel: z
    .object({
      originUrl: originUrlSchema,
      id: z.string().trim().min(1, 'Give the channel id.').max(100),
      streamKey: z.string().trim().min(1, 'Give the stream key.').max(500),
    })
    .optional(),
  eyeWidths: z.array(z.number().int().min(64).max(8192)).min(1).max(8).optional(),
  preset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).optional(),
});
export type LiveStartInput = z.infer<typeof liveStartInputSchema>;

/** What the live panel shows: the broadcast now, or the last one. */
export interface LiveStatus {
  channelId: string;
  originUrl: string;
  title: string;
  sourceLabel: string;
  health: LiveHealth;
  /** Set once the broadcast has stopped because of an error. */
  error: string | null;
}

type Events = { changed: [LiveStatus] };

/** The studio's one broadcast at a time: starts it, ends it, and streams its health to the renderer. */
export class LiveController {
  readonly #dataDir: string;
  readonly #events = new EventEmitter<Events>();
  #session: LiveSession | null = null;
  #status: LiveStatus | null = null;
  #running: Promise<unknown> | null = null;

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
    this.#events.setMaxListeners(0);
  }

  async sources(): Promise<{ devices: CaptureDevice[]; platform: string }> {
    return { devices: await listCaptureDevices(), platform: process.platform };
  }

  status(): LiveStatus | null {
    return this.#status;
  }

  async start(input: LiveStartInput, signedIn: { originUrl: string; token: string } | null): Promise<LiveStatus> {
    if (this.#session && this.#session.state !== 'ended') throw new StudioError('LIVE_BUSY', 'A broadcast is on already: end it before going live again.');
    let source;
    try {
      source = await resolveLiveSource(input.source);
    } catch (error) {
      throw new StudioError('SOURCE_UNREADABLE', errorMessage(error), { cause: error });
    }
    let channel: { id: string; streamKey: string; hlsIngestUrl: string; originUrl: string };
    const title = input.title ?? `Live: ${source.info.label}`;
    if (input.channel) {
      channel = { ...input.channel, hlsIngestUrl: hlsIngestUrlOf(input.channel.originUrl, input.channel.id) };
    } else {
      if (!signedIn) throw new StudioError('NOT_SIGNED_IN', 'Sign in to an origin (Publish) to open a channel, or give a channel id and its stream key.');
      try {
        const created = await createChannel(signedIn.originUrl, signedIn.token, { title, projection: source.info.projection });
        channel = { ...created, originUrl: signedIn.originUrl };
      } catch (error) {
        throw new StudioError('ORIGIN_REJECTED', errorMessage(error), { cause: error });
      }
    }
    const session = new LiveSession({
      source,
      hlsIngestUrl: channel.hlsIngestUrl,
      streamKey: channel.streamKey,
      spoolDir: path.join(this.#dataDir, 'live', channel.id),
      channelStatus: () => channelStatus(channel.originUrl, channel.id),
      ...(signedIn && !input.channel ? { endChannel: () => endChannel(signedIn.originUrl, signedIn.token, channel.id) } : {}),
      ...(input.eyeWidths ? { eyeWidths: input.eyeWidths } : {}),
      ...(input.preset ? { preset: input.preset } : {}),
    });
    this.#session = session;
    const status: LiveStatus = {
      channelId: channel.id,
      originUrl: channel.originUrl,
      title,
      sourceLabel: source.info.label,
      health: session.health(),
      error: null,
    };
    this.#publish(status);
    session.on('health', (health) => this.#publish({ ...status, health, error: this.#status?.error ?? null }));
    this.#running = session.start().then((summary) => {
      this.#publish({ ...status, health: session.health(), error: summary.error && summary.error.code !== 'CANCELLED' ? summary.error.message : null });
    });
    return status;
  }

  /** Ends the broadcast cleanly (the rest of the spool is sent first). */
  end(): LiveStatus {
    if (!this.#session || this.#session.state === 'ended') throw new StudioError('LIVE_NOT_ON', 'No broadcast is on.');
    this.#session.end();
    return this.#status!;
  }

  async *watch(signal: AbortSignal): AsyncGenerator<LiveStatus> {
    try {
      for await (const [status] of on(this.#events, 'changed', { signal })) yield status as LiveStatus;
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  async destroy(): Promise<void> {
    this.#session?.destroy();
    await this.#running;
    this.#events.removeAllListeners();
  }

  #publish(status: LiveStatus): void {
    this.#status = status;
    this.#events.emit('changed', status);
  }
}
