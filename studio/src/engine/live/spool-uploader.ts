/**
 * Pushes the live encoder's spool to the origin's HLS ingest, oldest segment first, so the network
 * never touches the encoder. Each encoder process (a run) writes its own folder
 * `spool/run-{k}/{rung}/seg_{n}.m4s` with a sliding `index.m3u8` (a segment listed there is complete);
 * a restarted encoder (it crashed, or the studio was killed and the creator went live again) starts a
 * new run whose numbers continue after the last one. This uploader sends a run's init segments (with
 * the spherical boxes ffmpeg's HLS muxer leaves out) before its first segment and the master once,
 * then each segment followed by its rung's live playlist, and deletes the file once the origin has
 * it. While the origin is unreachable it retries the same file with back-off: segments wait on disk,
 * and memory holds only their names and durations.
 */
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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

interface QueuedSegment extends SpoolSegment {
  run: SpoolRun;
}

/** One encoder process's folder in the spool. */
interface SpoolRun {
  dir: string;
  /** No encoder writes here any more: every `seg_{n}.m4s` in it is complete. */
  sealed: boolean;
  /** Per rung: the init segment's file name. */
  inits: Map<string, string>;
  initsSent: boolean;
  /** Per rung: the next segment number not yet seen complete. */
  next: Map<string, number>;
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
  /** The channel's spool folder (runs are added with {@link LiveUploader.addRun}). */
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

/** Names in a channel's spool folder. */
export const SPOOL_FILES = {
  /** The ladder of the broadcast: a resumed broadcast keeps it. */
  plan: 'plan.json',
  /** The next segment number, kept when a delivered run's folder is removed. */
  nextNumber: 'next-number',
  /** The process id of the studio live on this spool. */
  owner: 'owner.pid',
  runPrefix: 'run-',
} as const;

export function spoolRunDir(spoolDir: string, index: number): string {
  return path.join(spoolDir, `${SPOOL_FILES.runPrefix}${index}`);
}

/** The run folders left in a spool, oldest first, by their index. */
export async function spoolRuns(spoolDir: string): Promise<{ dir: string; index: number }[]> {
  const names = await readdir(spoolDir).catch(() => [] as string[]);
  return names
    .map((name) => ({ name, match: /^run-(\d+)$/.exec(name) }))
    .filter((x): x is { name: string; match: RegExpExecArray } => x.match !== null)
    .map((x) => ({ dir: path.join(spoolDir, x.name), index: Number(x.match[1]) }))
    .sort((a, b) => a.index - b.index);
}

export class LiveUploader extends TypedEmitter<LiveUploaderEvents> {
  readonly #options: LiveUploaderOptions;
  /** Rung folders in ladder order: the video rungs, then `audio`. */
  readonly #rungs: string[];
  /** Runs not yet delivered and removed, oldest first; the last one may be the encoder's. */
  #runs: SpoolRun[] = [];
  /** Complete segments not yet on the origin, oldest first (by number, then rung). */
  #pending: QueuedSegment[] = [];
  /** The scan in progress (scans run one at a time). */
  #scanning: Promise<void> = Promise.resolve();
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
  /** Highest segment number seen in any run (complete or listed), -1 before any. */
  #maxSeen = -1;
  /** The next number from the spool's `next-number` file (runs already delivered and removed). */
  #floor = 0;

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

  /** The number the next encoder run starts at: after every segment any run of this spool has made. */
  get nextNumber(): number {
    return Math.max(this.#floor, this.#maxSeen + 1);
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

  /**
   * Takes up what an earlier process left in the spool (runs whose encoder is gone): their segments
   * are delivered first, oldest first. Call before the first {@link addRun}.
   */
  async resume(): Promise<{ runs: number; segments: number }> {
    const floor = Number((await readFile(path.join(this.#options.spoolDir, SPOOL_FILES.nextNumber), 'utf8').catch(() => '0')).trim());
    this.#floor = Number.isSafeInteger(floor) && floor >= 0 ? floor : 0;
    const left = await spoolRuns(this.#options.spoolDir);
    for (const { dir } of left) this.#runs.push(newRun(dir, true));
    const before = this.#pending.length;
    await this.#scan();
    return { runs: left.length, segments: this.#pending.length - before };
  }

  /** A new encoder run writes into `dir` from `startNumber` on (the previous one is sealed first with {@link sealRun}). */
  addRun(dir: string, startNumber: number): void {
    const run = newRun(dir, false);
    for (const rung of this.#rungs) run.next.set(rung, startNumber);
    this.#runs.push(run);
  }

  /** The encoder of the newest run has stopped: every complete segment it left is queued. */
  async sealRun(): Promise<void> {
    const run = this.#runs.at(-1);
    if (!run || run.sealed) return;
    run.sealed = true;
    await this.#scan();
  }

  /** The encoder has stopped for good: upload what is left, then `run()` resolves. */
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
      if (finalScan) await this.sealRun();
      await this.#scan();
      const next = this.#pending[0];
      // Before a run's first segment, its init segments (and the master, once).
      const run = next?.run ?? this.#runs.find((r) => !r.sealed);
      if (run && !run.initsSent) {
        const missing = this.#rungs.filter((rung) => !run.inits.has(rung));
        if (missing.length === 0 || (run.sealed && next)) {
          await this.#sendInits(run);
          continue;
        }
      } else if (next) {
        await this.#sendSegment(next);
        continue;
      }
      if (finalScan && !next) {
        const started = this.#runs.find((r) => r.inits.size > 0);
        if (!this.#masterSent && started) {
          throw new MediaError(
            'FFMPEG_FAILED',
            `The encoder stopped before every rendition had started (${this.#rungs.filter((rung) => !started.inits.has(rung)).join(', ')} missing).`,
          );
        }
        await this.#removeDeliveredRuns();
        return;
      }
      await sleep(pollMs, undefined, { signal: this.#stop.signal }).catch(() => undefined);
    }
  }

  #throwIfStopped(): void {
    if (this.#stop.signal.aborted) throw new MediaError('CANCELLED', 'The upload was stopped; segments not sent stay in the spool.');
  }

  /**
   * Queues the segments that became complete in every run. One scan at a time: the upload loop scans
   * while it retries a refused or failed request, and the session seals a run meanwhile; two scans
   * reading a run's next number together queued the same segment twice, and the second send found its
   * file gone (ENOENT: a CI run of origin/web/e2e/live-fault.test.ts stopped the broadcast so).
   */
  #scan(): Promise<void> {
    const scanned = this.#scanning.then(() => this.#scanOnce());
    this.#scanning = scanned.catch(() => undefined);
    return scanned;
  }

  async #scanOnce(): Promise<void> {
    const added: QueuedSegment[] = [];
    for (const run of this.#runs) added.push(...(await this.#scanRun(run)));
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

  /**
   * A running encoder's segments are complete once its playlist lists them (segments that slid out of
   * the window before we looked are complete too). A sealed run's are all complete: ffmpeg writes
   * each segment under a temporary name (hls_flags temp_file) and renames it when it is closed.
   */
  async #scanRun(run: SpoolRun): Promise<QueuedSegment[]> {
    const { plan } = this.#options;
    const added: QueuedSegment[] = [];
    for (const rung of this.#rungs) {
      const dir = path.join(run.dir, rung);
      let listed: MediaPlaylistSegment[] = [];
      const text = await readFile(path.join(dir, LIVE_FILES.playlist), 'utf8').catch(() => null);
      if (text !== null) {
        const playlist = parseMediaPlaylist(text);
        if (playlist.initUri && !run.inits.has(rung)) run.inits.set(rung, playlist.initUri);
        listed = playlist.segments;
      }
      if (!run.inits.has(rung) && run.sealed && (await this.#sizeOf(path.join(dir, LIVE_FILES.init))) !== null) run.inits.set(rung, LIVE_FILES.init);
      const byNumber = new Map<number, MediaPlaylistSegment>();
      for (const segment of listed) {
        const match = LIVE_SEGMENT_NAME.exec(segment.uri);
        if (match) byNumber.set(Number(match[1]), segment);
      }
      let numbers: number[];
      if (run.sealed) {
        const names = await readdir(dir).catch(() => [] as string[]);
        numbers = names.flatMap((name) => {
          const match = LIVE_SEGMENT_NAME.exec(name);
          return match ? [Number(match[1])] : [];
        });
      } else {
        const last = Math.max(-1, ...byNumber.keys());
        numbers = [];
        for (let n = run.next.get(rung) ?? 0; n <= last; n++) numbers.push(n);
      }
      for (const n of byNumber.keys()) this.#maxSeen = Math.max(this.#maxSeen, n);
      const next = run.next.get(rung) ?? 0;
      let highest = next - 1;
      for (const n of numbers.sort((a, b) => a - b)) {
        if (n < next) continue;
        const bytes = await this.#sizeOf(path.join(dir, liveSegmentName(n)));
        if (bytes === null) continue;
        const listedSegment = byNumber.get(n);
        added.push({
          run,
          rung,
          n,
          durationSeconds: listedSegment?.durationSeconds ?? plan.segmentSeconds,
          bytes,
          ...(listedSegment?.programDateTime ? { programDateTime: listedSegment.programDateTime } : {}),
        });
        highest = Math.max(highest, n);
        this.#maxSeen = Math.max(this.#maxSeen, n);
      }
      if (highest >= next) run.next.set(rung, highest + 1);
    }
    return added;
  }

  async #sizeOf(file: string): Promise<number | null> {
    try {
      return (await stat(file)).size;
    } catch {
      return null;
    }
  }

  async #sendInits(run: SpoolRun): Promise<void> {
    const { plan } = this.#options;
    const codecs = new Map<string, string>();
    for (const rung of this.#rungs) {
      const name = run.inits.get(rung);
      if (!name) continue;
      const raw = await readFile(path.join(run.dir, rung, name));
      const isVideo = rung !== LIVE_FILES.audioDir;
      // ffmpeg's HLS muxer drops spherical side data: every video init segment gets st3d/sv3d, as in VOD.
      const init = isVideo ? injectSphericalMetadata(raw, plan.projection) : raw;
      const codec = codecStringsOf(init).find((track) => track.handler === (isVideo ? 'vide' : 'soun'))?.codec;
      if (!codec) throw new MediaError('MP4_MALFORMED', `The live encoder's init segment of ${rung} has no ${isVideo ? 'video' : 'audio'} track.`);
      codecs.set(rung, codec);
      // The origin keeps an init it already has (same bytes) as the one these segments use.
      await this.#put(`${rung}/${LIVE_FILES.init}`, init, 'video/mp4');
    }
    run.initsSent = true;
    if (!this.#masterSent && this.#rungs.every((rung) => codecs.has(rung))) await this.#sendMaster(codecs);
  }

  async #sendMaster(codecs: Map<string, string>): Promise<void> {
    const { plan } = this.#options;
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

  async #sendSegment(segment: QueuedSegment): Promise<void> {
    const file = path.join(segment.run.dir, segment.rung, liveSegmentName(segment.n));
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
    if (segment.run.sealed && !this.#pending.some((p) => p.run === segment.run)) await this.#removeRun(segment.run);
  }

  /** Sealed runs with nothing left to send. */
  async #removeDeliveredRuns(): Promise<void> {
    for (const run of [...this.#runs]) if (run.sealed && !this.#pending.some((p) => p.run === run)) await this.#removeRun(run);
  }

  /** A delivered run's folder goes; the spool keeps the next number so a later run never reuses one. */
  async #removeRun(run: SpoolRun): Promise<void> {
    await writeFile(path.join(this.#options.spoolDir, SPOOL_FILES.nextNumber), `${this.nextNumber}\n`);
    await rm(run.dir, { recursive: true, force: true });
    this.#runs = this.#runs.filter((r) => r !== run);
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

function newRun(dir: string, sealed: boolean): SpoolRun {
  return { dir, sealed, inits: new Map(), initsSent: false, next: new Map() };
}
