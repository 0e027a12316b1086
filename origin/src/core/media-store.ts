import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { normaliseMediaPath, resolveInside } from './safe-path.ts';

export class UploadTooLargeError extends Error {
  override name = 'UploadTooLargeError';
}

/**
 * Media on disk. Uploads land in `staging/<contentId>/` and stay invisible until a finalize moves
 * the whole folder, in one rename, to `published/<contentId>/<publishId>/`, which is all that
 * `/media/` serves. A new publish gets a new folder, so published files never change and can be
 * cached forever.
 */
export class MediaStore {
  readonly stagingRoot: string;
  readonly publishedRoot: string;

  constructor(
    readonly mediaDir: string,
    readonly maxUploadBytes: number,
  ) {
    this.stagingRoot = path.join(mediaDir, 'staging');
    this.publishedRoot = path.join(mediaDir, 'published');
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
   * place only when complete: a broken or oversize upload leaves nothing behind.
   */
  async writeStaged(contentId: string, rawPath: string, body: Readable): Promise<{ path: string; size: number; sha256: string }> {
    const relative = normaliseMediaPath(rawPath);
    const target = resolveInside(this.stagingDir(contentId), relative);
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.part-${randomUUID()}`;
    const hash = createHash('sha256');
    let size = 0;
    const limit = this.maxUploadBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > limit) {
          callback(new UploadTooLargeError(`The file is larger than the ${Math.round(limit / 1048576)} MiB upload limit.`));
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(temporary, { flags: 'wx' }));
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return { path: relative, size, sha256: hash.digest('hex') };
  }

  async readStagedText(contentId: string, relative: string, maxBytes = 4 * 1024 * 1024): Promise<string> {
    const file = resolveInside(this.stagingDir(contentId), normaliseMediaPath(relative));
    const info = await stat(file);
    if (info.size > maxBytes) throw new UploadTooLargeError(`${relative} is too large for a playlist.`);
    return readFile(file, 'utf8');
  }

  /** Files currently staged for a content, relative to its staging folder. */
  async listStaged(contentId: string): Promise<string[]> {
    const root = this.stagingDir(contentId);
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
        else if (!entry.name.includes('.part-')) out.push(path.relative(root, full).split(path.sep).join('/'));
      }
    };
    await walk(root);
    return out.sort();
  }

  /**
   * Makes the staged folder public as a new version. Writes `extraFiles` (e.g. hashes.json) first,
   * then renames the folder. Returns the published folder relative to published/.
   */
  async publish(contentId: string, extraFiles: Record<string, string>): Promise<string> {
    const staging = this.stagingDir(contentId);
    for (const [name, text] of Object.entries(extraFiles)) {
      await writeFile(resolveInside(staging, normaliseMediaPath(name)), text);
    }
    const publishId = randomUUID();
    const relative = `${contentId}/${publishId}`;
    const target = resolveInside(this.publishedRoot, relative);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(staging, target);
    return relative;
  }

  /** Puts a published folder back into staging (used when recording a publish fails). */
  async unpublish(contentId: string, publishedRelative: string): Promise<void> {
    await rename(resolveInside(this.publishedRoot, publishedRelative), this.stagingDir(contentId));
  }

  /** Removes published versions of a content other than the ones to keep. */
  async prunePublished(contentId: string, keep: string[]): Promise<void> {
    const dir = resolveInside(this.publishedRoot, contentId);
    const versions = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(
      versions
        .filter((version) => !keep.includes(`${contentId}/${version}`))
        .map((version) => rm(path.join(dir, version), { recursive: true, force: true })),
    );
  }

  async removeContent(contentId: string): Promise<void> {
    await rm(this.stagingDir(contentId), { recursive: true, force: true });
    await rm(resolveInside(this.publishedRoot, contentId), { recursive: true, force: true });
  }
}
