// Writes a brotli (.br) and a gzip (.gz) copy beside every compressible file of the build, so the
// origin serves them as they are (Content-Encoding) without compressing on each request. Brotli at
// its highest quality costs seconds once at build instead of CPU on every request.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Plugin } from 'vite';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Extensions worth compressing (images and video are compressed already). */
export const PRECOMPRESSED_EXTENSIONS = ['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.xml', '.wasm'] as const;
/** Below this a compressed copy saves less than the bytes of its headers. */
export const PRECOMPRESS_MIN_BYTES = 1024;

/** Compresses every eligible file under `dir`; a copy is kept only when it is smaller than the original. */
export async function precompressDirectory(dir: string): Promise<{ file: string; bytes: number; br: number | null; gz: number | null }[]> {
  const written: { file: string; bytes: number; br: number | null; gz: number | null }[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !(PRECOMPRESSED_EXTENSIONS as readonly string[]).includes(path.extname(entry.name))) continue;
    const file = path.join(entry.parentPath, entry.name);
    const data = await readFile(file);
    if (data.length < PRECOMPRESS_MIN_BYTES) continue;
    const [br, gz] = await Promise.all([
      brotli(data, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
      }),
      gzip(data, { level: zlib.constants.Z_BEST_COMPRESSION }),
    ]);
    const keepBr = br.length < data.length;
    const keepGz = gz.length < data.length;
    if (keepBr) await writeFile(`${file}.br`, br);
    if (keepGz) await writeFile(`${file}.gz`, gz);
    written.push({ file: path.relative(dir, file), bytes: data.length, br: keepBr ? br.length : null, gz: keepGz ? gz.length : null });
  }
  return written;
}

/** Vite plugin: precompresses the output directory once the bundle is written. */
export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'spherecast-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      await precompressDirectory(outDir);
    },
  };
}
