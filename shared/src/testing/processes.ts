// Processes of this machine seen through Linux /proc, for tests that check a child's encoder is gone. Node only.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Process ids of the ffmpeg processes whose arguments name `dir` (Linux /proc): a live pusher's encoder. */
export function ffmpegPidsWriting(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // the process ended between the listing and the read
    }
    if (path.basename(argv[0] ?? '') === 'ffmpeg' && argv.some((arg) => arg.includes(dir))) pids.push(Number(name));
  }
  return pids;
}
