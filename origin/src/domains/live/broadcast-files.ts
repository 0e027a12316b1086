import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MediaStore } from '../../core/media-store.ts';

/** Marks a file being written; never named by a playlist, removed when the write fails. */
const TEMP_MARKER = '.part-';

/**
 * The folder of a broadcast below published/ (`<contentId>/<broadcastId>`), where the ingest writes
 * and `/media` serves: segments and init files are written once and never change (cacheable
 * forever), playlists are replaced whole. Every write goes to a temporary name and is renamed into
 * place, so a reader never sees half a file.
 */
export class BroadcastFiles {
  constructor(
    private readonly media: MediaStore,
    readonly publishedPath: string,
  ) {}

  file(relative: string): string {
    return this.media.publishedFile(`${this.publishedPath}/${relative}`);
  }

  async write(relative: string, data: Uint8Array | string): Promise<void> {
    const target = this.file(relative);
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}${TEMP_MARKER}${randomUUID()}`;
    try {
      await writeFile(temporary, data);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
