import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { idSchema } from '@spherecast/shared';
import { faultPoint } from './fault-injection.ts';
import { normaliseMediaPath, resolveInside } from './safe-path.ts';
import type { PublishedObject, S3MediaObjects } from './media-store-s3.ts';

/** Marks an upload still being written; such files are never listed, published or kept across a restart. */
const PART_MARKER = '.part-';

export class UploadTooLargeError extends Error {
  override name = 'UploadTooLargeError';
}

/** Files uploaded to the bucket at once when a version is published to S3. */
const S3_PUT_CONCURRENCY = 4;

/**
 * Media storage. Uploads land on disk in `staging/<contentId>/` and stay invisible until a finalize
 * publishes the whole folder as `published/<contentId>/<publishId>/`, which is all that `/media/`
 * serves. A new publish gets a new folder, so published files never change and can be cached forever.
 *
 * Published versions live in one of two places, chosen by STORAGE: local files (the default; a
 * publish is one rename) or an S3-compatible bucket (`remote`; a publish uploads the folder under a
 * new prefix, which nothing refers to until the database commit points the content at it). Either
 * way the origin serves them through `openPublished`.
 */
export class MediaStore {
  readonly stagingRoot: string;
  readonly publishedRoot: string;
  /** The bucket published versions go to (STORAGE=s3), or null for local files. */
  readonly remote: S3MediaObjects | null;

  constructor(
    readonly mediaDir: string,
    readonly maxUploadBytes: number,
    remote: S3MediaObjects | null = null,
  ) {
    this.stagingRoot = path.join(mediaDir, 'staging');
    this.publishedRoot = path.join(mediaDir, 'published');
    this.remote = remote;
  }

  /**
   * A published file for serving (`relative` below published/, already normalised), from the bucket
   * with STORAGE=s3 or from disk; null when there is none. Files written straight into a local
   * published folder (live broadcasts, captions) are found on disk in either mode.
   */
  async openPublished(relative: string): Promise<PublishedObject | null> {
    if (this.remote) {
      const object = await this.remote.open(relative);
      if (object) return object;
    }
    return openLocalFile(this.publishedFile(relative));
  }

  async init(): Promise<void> {
    await mkdir(this.stagingRoot, { recursive: true });
    await mkdir(this.publishedRoot, { recursive: true });
  }

  stagingDir(contentId: string): string {
    return resolveInside(this.stagingRoot, contentId);
  }

  /** Absolute path of a published file, or throws UnsafePathError. `relative` is below published/. */
  publishedFile(relative: string): string {
    return resolveInside(this.publishedRoot, relative);
  }

  /**
   * Streams an upload into staging through a temporary file, hashing as it goes, and renames it into
   * place only when complete: a broken or oversize upload leaves nothing behind (and a killed process
   * leaves only a `.part-` file, which is never published and is removed at start-up by `sweep`).
   * `limit` lowers the size limit (e.g. to what is left of a storage quota), with its own message.
   */
  async writeStaged(
    contentId: string,
    rawPath: string,
    body: Readable,
    limit: { bytes: number; message: string } = {
      bytes: this.maxUploadBytes,
      message: `The file is larger than the ${Math.round(this.maxUploadBytes / 1048576)} MiB upload limit.`,
    },
  ): Promise<{ path: string; size: number; sha256: string }> {
    const relative = normaliseMediaPath(rawPath);
    const target = resolveInside(this.stagingDir(contentId), relative);
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}${PART_MARKER}${randomUUID()}`;
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > limit.bytes) {
          callback(new UploadTooLargeError(limit.message));
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(temporary, { flags: 'wx' }));
      faultPoint('upload-before-rename');
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return { path: relative, size, sha256: hash.digest('hex') };
  }

  /**
   * Reads a staged text file of at most `maxBytes` (a larger one is refused unread).
   * Returns null when the file is not there.
   */
  async readStagedText(contentId: string, relative: string, maxBytes: number): Promise<string | null> {
    const file = resolveInside(this.stagingDir(contentId), normaliseMediaPath(relative));
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) throw new UploadTooLargeError(`${relative} is larger than ${Math.round(maxBytes / 1024)} KiB, the limit for a playlist.`);
      const buffer = Buffer.alloc(size);
      let length = 0;
      while (length < size) {
        const { bytesRead } = await handle.read(buffer, length, size - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      return buffer.toString('utf8', 0, length);
    } finally {
      await handle.close();
    }
  }

  /** Size of a staged file, or null when it is not there. */
  async stagedSize(contentId: string, relative: string): Promise<number | null> {
    try {
      const info = await stat(resolveInside(this.stagingDir(contentId), normaliseMediaPath(relative)));
      return info.isFile() ? info.size : null;
    } catch {
      return null;
    }
  }

  /** Files currently staged for a content, relative to its staging folder (uploads in progress excluded). */
  async listStaged(contentId: string): Promise<string[]> {
    const out = await walkFiles(this.stagingDir(contentId));
    return out.filter((file) => !file.includes(PART_MARKER)).sort();
  }

  /** Removes staged files (those a publish leaves out); missing ones are fine. */
  async removeStaged(contentId: string, relatives: string[]): Promise<void> {
    const root = this.stagingDir(contentId);
    for (let i = 0; i < relatives.length; i += 64) {
      await Promise.all(relatives.slice(i, i + 64).map((relative) => rm(resolveInside(root, relative), { force: true })));
    }
  }

  /** Writes small files (e.g. hashes.json) into the staging folder of a content. */
  async writeStagedFiles(contentId: string, files: Record<string, string>): Promise<void> {
    const staging = this.stagingDir(contentId);
    for (const [name, text] of Object.entries(files)) {
      await writeFile(resolveInside(staging, normaliseMediaPath(name)), text);
    }
  }

  /**
   * Makes the staged folder public as version `publishId`, in one rename. Returns the published
   * folder relative to published/.
   */
  async publish(contentId: string, publishId: string): Promise<string> {
    const relative = `${contentId}/${publishId}`;
    const { remote } = this;
    if (remote) {
      const staging = this.stagingDir(contentId);
      const files = (await walkFiles(staging)).filter((file) => !file.includes(PART_MARKER));
      for (let i = 0; i < files.length; i += S3_PUT_CONCURRENCY) {
        await Promise.all(files.slice(i, i + S3_PUT_CONCURRENCY).map((file) => remote.putFile(`${relative}/${file}`, path.join(staging, file))));
      }
      await rm(staging, { recursive: true, force: true });
      return relative;
    }
    const target = resolveInside(this.publishedRoot, relative);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(this.stagingDir(contentId), target);
    return relative;
  }

  /**
   * With STORAGE=s3, moves a folder written straight into the local published folder (a live
   * broadcast, once it has ended and its files no longer change) into the bucket under the same
   * name, then removes it from disk. Every file is in the bucket before any is removed, and
   * `openPublished` looks in the bucket first, so viewers see the same bytes throughout. Nothing to
   * do with local storage or when the folder is not on disk (already moved). Returns the files moved.
   */
  async moveToBucket(publishedRelative: string): Promise<number> {
    const { remote } = this;
    if (!remote) return 0;
    const source = resolveInside(this.publishedRoot, publishedRelative);
    const files = (await walkFiles(source)).filter((file) => !file.includes(PART_MARKER));
    for (let i = 0; i < files.length; i += S3_PUT_CONCURRENCY) {
      await Promise.all(files.slice(i, i + S3_PUT_CONCURRENCY).map((file) => remote.putFile(`${publishedRelative}/${file}`, path.join(source, file))));
    }
    await rm(source, { recursive: true, force: true });
    return files.length;
  }

  /**
   * Puts a published folder that was never committed back into staging, so the creator's uploads are
   * kept and a retry can publish them. Files uploaded to staging since then win over the moved ones.
   * Nothing to do when the folder is not there.
   */
  async restoreToStaging(contentId: string, publishedRelative: string): Promise<void> {
    const { remote } = this;
    if (remote) {
      const staging = this.stagingDir(contentId);
      for (const key of await remote.list(`${publishedRelative}/`)) {
        const target = resolveInside(staging, key.slice(publishedRelative.length + 1));
        if (await exists(target)) continue;
        await mkdir(path.dirname(target), { recursive: true });
        const temporary = `${target}${PART_MARKER}${randomUUID()}`;
        await pipeline(await remote.read(key), createWriteStream(temporary, { flags: 'wx' }));
        await rename(temporary, target);
      }
      await remote.removePrefix(`${publishedRelative}/`);
    }
    const source = resolveInside(this.publishedRoot, publishedRelative);
    if (!(await exists(source))) return;
    const staging = this.stagingDir(contentId);
    if (!(await exists(staging))) {
      await rename(source, staging);
      return;
    }
    for (const relative of await walkFiles(source)) {
      const target = resolveInside(staging, relative);
      if (await exists(target)) continue;
      await mkdir(path.dirname(target), { recursive: true });
      await rename(path.join(source, relative), target);
    }
    await rm(source, { recursive: true, force: true });
  }

  /** Removes published versions of a content other than the ones to keep. */
  async prunePublished(contentId: string, keep: string[]): Promise<void> {
    if (this.remote) {
      for (const version of await this.remote.listFolders(`${contentId}/`)) {
        if (!keep.includes(`${contentId}/${version}`)) await this.remote.removePrefix(`${contentId}/${version}/`);
      }
    }
    const dir = resolveInside(this.publishedRoot, contentId);
    const versions = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(
      versions.filter((version) => !keep.includes(`${contentId}/${version}`)).map((version) => rm(path.join(dir, version), { recursive: true, force: true })),
    );
  }

  /**
   * Start-up cleaning, after interrupted publishes are repaired: removes `.part-` files of uploads a
   * crash cut short, the staging folders of contents that no longer exist, and every published
   * version that `keep` does not list (folders a crash left unreferenced, and those of deleted
   * contents). `keep` maps each existing content id to its published folders (relative to published/).
   */
  async sweep(keep: Map<string, Set<string>>): Promise<{ partFiles: number; stagingFolders: number; publishedVersions: number }> {
    const removed = { partFiles: 0, stagingFolders: 0, publishedVersions: 0 };
    for (const contentId of await readdir(this.stagingRoot).catch(() => [] as string[])) {
      const dir = path.join(this.stagingRoot, contentId);
      if (!keep.has(contentId)) {
        await rm(dir, { recursive: true, force: true });
        removed.stagingFolders += 1;
        continue;
      }
      for (const relative of await walkFiles(dir)) {
        if (!relative.includes(PART_MARKER)) continue;
        await rm(path.join(dir, relative), { force: true });
        removed.partFiles += 1;
      }
    }
    for (const contentId of await readdir(this.publishedRoot).catch(() => [] as string[])) {
      const dir = path.join(this.publishedRoot, contentId);
      const kept = keep.get(contentId);
      for (const version of await readdir(dir).catch(() => [] as string[])) {
        if (kept?.has(`${contentId}/${version}`)) continue;
        await rm(path.join(dir, version), { recursive: true, force: true });
        removed.publishedVersions += 1;
      }
      if (!kept) await rm(dir, { recursive: true, force: true });
    }
    if (this.remote) {
      for (const contentId of await this.remote.listFolders('')) {
        // Other top-level folders (tour media) are not published versions: not the sweep's to remove.
        if (!idSchema.safeParse(contentId).success) continue;
        const kept = keep.get(contentId);
        for (const version of await this.remote.listFolders(`${contentId}/`)) {
          if (kept?.has(`${contentId}/${version}`)) continue;
          await this.remote.removePrefix(`${contentId}/${version}/`);
          removed.publishedVersions += 1;
        }
      }
    }
    return removed;
  }

  async removeContent(contentId: string): Promise<void> {
    await this.remote?.removePrefix(`${contentId}/`);
    await rm(this.stagingDir(contentId), { recursive: true, force: true });
    await rm(resolveInside(this.publishedRoot, contentId), { recursive: true, force: true });
  }
}

/** A file on this machine's disk as a PublishedObject (size, date, ranged reads); null when there is none. */
export async function openLocalFile(file: string): Promise<PublishedObject | null> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return null;
  return {
    size: info.size,
    modified: info.mtime,
    read: (range) => Promise.resolve(createReadStream(file, range ? { start: range.start, end: range.end } : {})),
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Every file below `root`, relative to it with `/` separators; empty when `root` is missing. */
async function walkFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  await walk(root);
  return out;
}
