import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { S3MediaObjects } from '../../core/media-store-s3.ts';

/**
 * Where an upload's chunk plan and chunk outputs live while its chunks are transcoded: somewhere every
 * worker reaches. Local files: UPLOADS_DIR/.chunks/<uploadId>, beside the sources (a folder all
 * workers share, as they share UPLOADS_DIR). STORAGE=s3: the bucket, under its own prefix; a worker
 * encodes into its work folder and uploads, and the join downloads what it does not have.
 */
export interface ChunkStore {
  readText(uploadId: string, name: string): Promise<string | null>;
  writeText(uploadId: string, name: string, text: string): Promise<void>;
  /** Which of `names` are stored (complete: a file is only ever stored whole). */
  present(uploadId: string, names: readonly string[]): Promise<Set<string>>;
  /** The local file a worker encodes `name` into before `commit`. */
  target(uploadId: string, name: string, workDir: string): string;
  /** Stores the finished `file` as `name`. */
  commit(uploadId: string, name: string, file: string): Promise<void>;
  /** A local file with `name`'s bytes (for the join). */
  fetch(uploadId: string, name: string, workDir: string): Promise<string>;
  remove(uploadId: string): Promise<void>;
  destroy(): void;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Chunks in a folder every worker shares (UPLOADS_DIR/.chunks). */
export class LocalChunkStore implements ChunkStore {
  constructor(readonly root: string) {}

  dirOf(uploadId: string): string {
    return path.join(this.root, uploadId);
  }

  async readText(uploadId: string, name: string): Promise<string | null> {
    return readFile(path.join(this.dirOf(uploadId), name), 'utf8').catch(() => null);
  }

  async writeText(uploadId: string, name: string, text: string): Promise<void> {
    const dir = this.dirOf(uploadId);
    await mkdir(dir, { recursive: true });
    const temporary = path.join(dir, `.${name}.${randomBytes(4).toString('hex')}`);
    await writeFile(temporary, text);
    await rename(temporary, path.join(dir, name));
  }

  async present(uploadId: string, names: readonly string[]): Promise<Set<string>> {
    const found = await Promise.all(names.map((name) => exists(path.join(this.dirOf(uploadId), name))));
    return new Set(names.filter((_, i) => found[i]));
  }

  /** Straight into the shared folder: transcodeChunk renames its output into place only when complete. */
  target(uploadId: string, name: string): string {
    return path.join(this.dirOf(uploadId), name);
  }

  async commit(): Promise<void> {}

  fetch(uploadId: string, name: string): Promise<string> {
    return Promise.resolve(path.join(this.dirOf(uploadId), name));
  }

  async remove(uploadId: string): Promise<void> {
    await rm(this.dirOf(uploadId), { recursive: true, force: true });
  }

  destroy(): void {}
}

/** Chunks in the bucket (STORAGE=s3), below `chunks/<uploadId>/` of their own prefix. */
export class BucketChunkStore implements ChunkStore {
  constructor(readonly objects: S3MediaObjects) {}

  async readText(uploadId: string, name: string): Promise<string | null> {
    const object = await this.objects.open(`${uploadId}/${name}`);
    if (!object) return null;
    const parts: Buffer[] = [];
    for await (const part of await object.read()) parts.push(Buffer.from(part as Uint8Array));
    return Buffer.concat(parts).toString('utf8');
  }

  async writeText(uploadId: string, name: string, text: string): Promise<void> {
    await this.objects.putText(`${uploadId}/${name}`, text);
  }

  async present(uploadId: string, names: readonly string[]): Promise<Set<string>> {
    const keys = new Set(await this.objects.list(`${uploadId}/`));
    return new Set(names.filter((name) => keys.has(`${uploadId}/${name}`)));
  }

  target(_uploadId: string, name: string, workDir: string): string {
    return path.join(workDir, 'chunks', name);
  }

  async commit(uploadId: string, name: string, file: string): Promise<void> {
    // An object appears whole when its PUT completes: a worker killed mid-upload leaves none.
    await this.objects.putFile(`${uploadId}/${name}`, file);
  }

  async fetch(uploadId: string, name: string, workDir: string): Promise<string> {
    const file = path.join(workDir, 'chunks', name);
    if (await exists(file)) return file;
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.part-${randomBytes(4).toString('hex')}`;
    try {
      await pipeline(await this.objects.read(`${uploadId}/${name}`), createWriteStream(temporary));
      await rename(temporary, file);
    } finally {
      await rm(temporary, { force: true });
    }
    return file;
  }

  async remove(uploadId: string): Promise<void> {
    await this.objects.removePrefix(`${uploadId}/`);
  }

  destroy(): void {
    this.objects.destroy();
  }
}
