import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { MediaError } from './errors.ts';

/**
 * An output folder that appears whole or not at all: work happens in a temp folder beside OUT
 * (same file system, so the final rename is atomic) that is renamed into place on success and
 * removed otherwise.
 */
export class StagedOutput {
  readonly out: string;
  readonly tmp: string;
  readonly #overwrite: boolean;

  private constructor(out: string, overwrite: boolean) {
    this.out = path.resolve(out);
    this.#overwrite = overwrite;
    this.tmp = path.join(path.dirname(this.out), `.${path.basename(this.out)}.partial-${randomBytes(4).toString('hex')}`);
  }

  /** Refuses a non-empty OUT unless `overwrite`, then creates the temp folder. */
  static async create(out: string, overwrite = false): Promise<StagedOutput> {
    const staged = new StagedOutput(out, overwrite);
    if (!overwrite && !(await isMissingOrEmpty(staged.out))) {
      throw new MediaError('OUTPUT_EXISTS', `${staged.out} already exists and is not empty. Choose another output folder or allow overwriting (--overwrite).`);
    }
    try {
      await mkdir(staged.tmp, { recursive: true });
    } catch (error) {
      throw new MediaError('OUTPUT_WRITE_FAILED', `Cannot create ${staged.tmp}: ${(error as Error).message}. Check that the folder is writable.`, {
        cause: error,
      });
    }
    return staged;
  }

  /** Moves the finished folder into place (replacing an old OUT when overwriting). */
  async commit(): Promise<void> {
    let old: string | undefined;
    if (!(await isMissing(this.out))) {
      if (!this.#overwrite && !(await isMissingOrEmpty(this.out))) {
        throw new MediaError('OUTPUT_EXISTS', `${this.out} appeared while the job ran. Choose another output folder.`);
      }
      old = `${this.tmp}-old`;
      await rename(this.out, old);
    }
    try {
      await rename(this.tmp, this.out);
    } catch (error) {
      if (old) await rename(old, this.out).catch(() => {});
      throw new MediaError('OUTPUT_WRITE_FAILED', `Cannot move the result to ${this.out}: ${(error as Error).message}.`, { cause: error });
    }
    if (old) await rm(old, { recursive: true, force: true });
  }

  async discard(): Promise<void> {
    await rm(this.tmp, { recursive: true, force: true });
  }
}

async function isMissing(dir: string): Promise<boolean> {
  try {
    await readdir(dir);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw error;
  }
}

async function isMissingOrEmpty(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'ENOTDIR') return false;
    throw error;
  }
}

/** Every file under `dir`, as POSIX paths relative to it, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile()) out.push(rel);
    }
  };
  await walk('');
  return out.sort();
}
