/**
 * Pushes the live encoder's spool folder to the origin's HLS ingest, oldest segment first, so the
 * network never touches the encoder: ffmpeg writes `spool/{rung}/seg_{n}.m4s` and a sliding
 * `index.m3u8` (a segment listed there is complete); this uploader sends the init segments (with the
 * spherical boxes ffmpeg's HLS muxer leaves out) and the master once, then each segment followed by
 * its rung's live playlist, and deletes the file once the origin has it. While the origin is
 * unreachable it retries the same file with back-off: segments wait on disk, and memory holds only
 * their names and durations.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TypedEmitter } from '@spherecast/shared/events';
import {
  codecStringsOf,
  injectSphericalMetadata,
  isMediaError,
  LIVE_FILES,
  LIVE_SEGMENT_NAME,
  liveSegmentName,
  MediaError,
  parseMediaPlaylist,
  writeLiveMediaPlaylist,
  writeMasterPlaylist,
  type LadderPlan,
  type MediaPlaylistSegment,
} from '@spherecast/shared/media';
import { putIngestFile, type Fetch } from './ingest-client.ts';

export interface SpoolSegment {
  rung: string;
  n: number;
  durationSeconds: number;
  programDateTime?: string;
  bytes: number;
}

export interface LiveUploaderEvents {
  /** A segment is on the origin (and gone from the spool). */
  uploaded: SpoolSegment;
  /** An upload failed and will be tried again after `retryInMs`. */
  retrying: { error: MediaError; retryInMs: number };
  /** The first upload that worked after failures. */
  recovered: { downSeconds: number };
}

export interface LiveUploaderOptions {
  spoolDir: string;
  plan: LadderPlan;
  /** `{origin}/live/{channelId}`. */
  hlsIngestUrl: string;
  streamKey: string;
  /** How often the spool is looked at. Default 200 ms. */
  pollMs?: number;
  /** Back-off between retries: doubles from `initialMs` up to `maxMs`. Default 250 ms to 5 s. */
  backoff?: { initialMs: number; maxMs: number };
  /** Segments in each live playlist sent to the origin. Default 6. */
  windowSize?: number;
  /** Time limit of one PUT before it counts as failed and is tried again. Default 15 s. */
  requestTimeoutMs?: number;
  fetch?: Fetch;
}

export class LiveUploader extends TypedEmitter<LiveUploaderEvents> {
  readonly #options: LiveUploaderOptions;
  /** Rung folders in ladder order: the video rungs, then `audio`. */
  readonly #rungs: string[];
  /** Complete segments not yet on the origin, oldest first (by number, then rung). */
  #pending: SpoolSegment[] = [];
  /** Per rung: the next segment number not yet seen complete. */
  readonly #next = new Map<string, number>();
  /** Per rung: the init segment's file name in the spool. */
  readonly #inits = new Map<string, string>();
  /** Per rung: the last uploaded segments (the live playlist's window). */
  readonly #windows = new Map<string, MediaPlaylistSegment[]>();
  /** Per rung: the last few segments seen (bytes, seconds), for the output bit rate. */
  readonly #recent = new Map<string, { bytes: number; seconds: number }[]>();
  readonly #stop = new AbortController();
  #masterSent = false;
  #encoderDone = false;
  #failingSince: number | null = null;
  #uploaded = 0;
  #uploadedBytes = 0;

  constructor(options: LiveUploaderOptions) {
    super();
    this.#options = options;
    this.#rungs = [...options.plan.rungs.map((rung) => rung.name), ...(options.plan.audio ? [LIVE_FILES.audioDir] : [])];
  }

  /** Segments complete in the spool and not yet on the origin. */
  get queueDepth(): number {
    return this.#pending.length;
  }

  get queueBytes(): number {
    return this.#pending.reduce((sum, s) => sum + s.bytes, 0);
  }

  get uploadedSegments(): number {
    return this.#uploaded;
  }

  get uploadedBytes(): number {
    return this.#uploadedBytes;
  }

  /** Whether the last upload failed (the origin is being retried). */
  get failing(): boolean {
    return this.#failingSince !== null;
  }

  /** Bits per second the encoder writes, all rungs together, over each rung's last segments. */
  get outputBitrate(): number {
    let bits = 0;
    for (const recent of this.#recent.values()) {
      const seconds = recent.reduce((sum, s) => sum + s.seconds, 0);
      if (seconds > 0) bits += (recent.reduce((sum, s) => sum + s.bytes, 0) * 8) / seconds;
    }
    return bits;
  }

  /** The encoder has stopped: upload what is left, then `run()` resolves. */
  encoderFinished(): void {
    this.#encoderDone = true;
  }

  /** Stops at once, leaving the rest in the spool; `run()` rejects with CANCELLED. */
  stop(): void {
    this.#stop.abort();
  }

  /** Uploads until the encoder has finished and the spool is empty. Rejects on a refusal retrying cannot fix. */
  async run(): Promise<void> {
    const pollMs = this.#options.pollMs ?? 200;
    for (;;) {
      this.#throwIfStopped();
      const finalScan = this.#encoderDone;
      await this.#scan();
      if (!this.#masterSent) {
        if (this.#rungs.every((rung) => this.#inits.has(rung))) {
          await this.#sendInitsAndMaster();
          continue;
        }
        if (finalScan) {
          if (this.#inits.size === 0 && this.#pending.length === 0) return;
          throw new MediaError(
            'FFMPEG_FAILED',
            `The encoder stopped before every rendition had started (${this.#rungs.filter((r) => !this.#inits.has(r)).join(', ')} missing).`,
          );
        }
      } else {
        const next = this.#pending[0];
        if (next) {
          await this.#sendSegment(next);
          continue;
        }
        if (finalScan) return;
      }
      await sleep(pollMs, undefined, { signal: this.#stop.signal }).catch(() => undefined);
    }
  }

  #throwIfStopped(): void {
    if (this.#stop.signal.aborted) throw new MediaError('CANCELLED', 'The upload was stopped; segments not sent stay in the spool.');
  }

  /** Reads each rung's spool playlist and queues the segments that became complete. */
  async #scan(): Promise<void> {
    const { spoolDir, plan } = this.#options;
    const added: SpoolSegment[] = [];
    for (const rung of this.#rungs) {
      let text: string;
      try {
        text = await readFile(path.join(spoolDir, rung, LIVE_FILES.playlist), 'utf8');
      } catch {
        continue;
      }
      const playlist = parseMediaPlaylist(text);
      if (playlist.initUri && !this.#inits.has(rung)) this.#inits.set(rung, playlist.initUri);
      let next = this.#next.get(rung) ?? 0;
      for (const segment of playlist.segments) {
        const match = LIVE_SEGMENT_NAME.exec(segment.uri);
        if (!match) continue;
        const n = Number(match[1]);
        if (n < next) continue;
        // Segments that slid out of the window before we looked (a stalled event loop) are complete too.
        for (let missed = next; missed < n; missed++) {
          const bytes = await this.#sizeOf(rung, liveSegmentName(missed));
          if (bytes !== null) added.push({ rung, n: missed, durationSeconds: plan.segmentSeconds, bytes });
        }
        const bytes = await this.#sizeOf(rung, segment.uri);
        if (bytes !== null) {
          added.push({
            rung,
            n,
            durationSeconds: segment.durationSeconds,
            bytes,
            ...(segment.programDateTime ? { programDateTime: segment.programDateTime } : {}),
          });
        }
        next = n + 1;
      }
      this.#next.set(rung, next);
    }
    if (added.length === 0) return;
    for (const segment of added) {
      const recent = this.#recent.get(segment.rung) ?? [];
      recent.push({ bytes: segment.bytes, seconds: segment.durationSeconds });
      if (recent.length > 5) recent.shift();
      this.#recent.set(segment.rung, recent);
    }
    this.#pending.push(...added);
    this.#pending.sort((a, b) => a.n - b.n || this.#rungs.indexOf(a.rung) - this.#rungs.indexOf(b.rung));
  }

  async #sizeOf(rung: string, file: string): Promise<number | null> {
    try {
      return (await stat(path.join(this.#options.spoolDir, rung, file))).size;
    } catch {
      return null;
    }
  }

  async #sendInitsAndMaster(): Promise<void> {
    const { plan, spoolDir } = this.#options;
    const codecs = new Map<string, string>();
    for (const rung of this.#rungs) {
      const raw = await readFile(path.join(spoolDir, rung, this.#inits.get(rung)!));
      const isVideo = rung !== LIVE_FILES.audioDir;
      // ffmpeg's HLS muxer drops spherical side data: every video init segment gets st3d/sv3d, as in VOD.
      const init = isVideo ? injectSphericalMetadata(raw, plan.projection) : raw;
      const codec = codecStringsOf(init).find((track) => track.handler === (isVideo ? 'vide' : 'soun'))?.codec;
      if (!codec) throw new MediaError('MP4_MALFORMED', `The live encoder's init segment of ${rung} has no ${isVideo ? 'video' : 'audio'} track.`);
      codecs.set(rung, codec);
      await this.#put(`${rung}/${LIVE_FILES.init}`, init, 'video/mp4');
    }
    const audioCodec = plan.audio ? codecs.get(LIVE_FILES.audioDir) : undefined;
    const audioBps = plan.audio ? plan.audio.bitrateKbps * 1000 : 0;
    const master = writeMasterPlaylist({
      projection: plan.projection,
      // Live bandwidths are the encoder's limits (measured peaks only exist afterwards).
      variants: plan.rungs.map((rung) => ({
        uri: `${rung.name}/${LIVE_FILES.playlist}`,
        bandwidth: rung.maxrateKbps * 1000 + audioBps,
        averageBandwidth: rung.videoBitrateKbps * 1000 + audioBps,
        width: rung.width,
        height: rung.height,
        frameRate: plan.frameRate,
        codecs: audioCodec ? `${codecs.get(rung.name)},${audioCodec}` : codecs.get(rung.name)!,
      })),
      audio: plan.audio ? { uri: `${LIVE_FILES.audioDir}/${LIVE_FILES.playlist}`, groupId: 'audio', name: 'Audio', channels: plan.audio.channels } : null,
    });
    await this.#put(LIVE_FILES.master, new TextEncoder().encode(master), 'application/vnd.apple.mpegurl');
    this.#masterSent = true;
  }

  async #sendSegment(segment: SpoolSegment): Promise<void> {
    const file = path.join(this.#options.spoolDir, segment.rung, liveSegmentName(segment.n));
    const body = await readFile(file);
    await this.#put(`${segment.rung}/${liveSegmentName(segment.n)}`, body, 'video/iso.segment');
    const window = this.#windows.get(segment.rung) ?? [];
    window.push({
      uri: liveSegmentName(segment.n),
      durationSeconds: segment.durationSeconds,
      ...(segment.programDateTime ? { programDateTime: segment.programDateTime } : {}),
    });
    if (window.length > (this.#options.windowSize ?? 6)) window.shift();
    this.#windows.set(segment.rung, window);
    const first = LIVE_SEGMENT_NAME.exec(window[0]!.uri);
    const playlist = writeLiveMediaPlaylist({ initUri: LIVE_FILES.init, mediaSequence: Number(first?.[1] ?? segment.n), segments: window });
    await this.#put(`${segment.rung}/${LIVE_FILES.playlist}`, new TextEncoder().encode(playlist), 'application/vnd.apple.mpegurl');
    this.#pending.shift();
    this.#uploaded++;
    this.#uploadedBytes += body.length;
    await rm(file, { force: true });
    this.emit('uploaded', segment);
  }

  /** PUTs one file, retrying with back-off while the origin is unreachable or failing (5xx). */
  async #put(name: string, body: Uint8Array, contentType: string): Promise<void> {
    const backoff = this.#options.backoff ?? { initialMs: 250, maxMs: 5000 };
    let delay = backoff.initialMs;
    for (;;) {
      this.#throwIfStopped();
      try {
        await putIngestFile({
          url: `${this.#options.hlsIngestUrl}/${name}`,
          streamKey: this.#options.streamKey,
          body,
          contentType,
          what: name,
          signal: AbortSignal.any([this.#stop.signal, AbortSignal.timeout(this.#options.requestTimeoutMs ?? 15_000)]),
          ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
        });
        if (this.#failingSince !== null) {
          const downSeconds = (Date.now() - this.#failingSince) / 1000;
          this.#failingSince = null;
          this.emit('recovered', { downSeconds });
        }
        return;
      } catch (error) {
        if (!isMediaError(error) || !error.retryable || this.#stop.signal.aborted) throw error;
        this.#failingSince ??= Date.now();
        // Jitter keeps many studios from coming back to a restarted origin in step.
        const wait = Math.round(delay * (0.75 + Math.random() * 0.5));
        this.emit('retrying', { error, retryInMs: wait });
        await sleep(wait, undefined, { signal: this.#stop.signal }).catch(() => undefined);
        // Keep counting what the encoder writes meanwhile: the queue depth is part of the health.
        await this.#scan();
        delay = Math.min(delay * 2, backoff.maxMs);
      }
    }
  }
}
