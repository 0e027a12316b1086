import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PublishJob, type PublishAuth } from '@spherecast/origin/publish';
import type { CommandArgs } from '../args.ts';
import { printJson, type CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { formatBytes } from '@spherecast/shared/format';
import { runTranscode } from './transcode.ts';

export async function publishCommand(args: CommandArgs<'publish'>, ctx: CliContext): Promise<ExitCode> {
  let dir = args.file;
  let temp: string | undefined;
  try {
    const info = await stat(args.file).catch(() => null);
    if (info && !info.isDirectory()) {
      temp = args.out ? undefined : await mkdtemp(path.join(os.tmpdir(), 'spherecast-publish-'));
      dir = args.out ?? path.join(temp!, 'out');
      if (!ctx.json) ctx.err(`Transcoding ${args.file} into ${dir} first…`);
      await runTranscode({ file: args.file, out: dir, mp4: false, overwrite: false }, ctx);
    }
    const auth: PublishAuth = args.token ? { token: args.token } : { login: args.login!, password: args.password! };
    const job = new PublishJob({
      origin: args.origin,
      auth,
      dir,
      concurrency: args.concurrency,
      content: {
        title: args.title ?? 'Untitled',
        ...(args.description !== undefined ? { description: args.description } : {}),
        ...(args.tags ? { tags: args.tags } : {}),
        ...(args.genre ? { genre: args.genre } : {}),
        ...(args.visibility ? { visibility: args.visibility } : {}),
      },
      ...(args['content-id'] ? { contentId: args['content-id'] } : {}),
    });
    job.on('progress', (p) => {
      const file = p.file ? `${p.file.status} ${p.file.path}` : '';
      ctx.progress.update(p.percent, p.phase, `${p.doneFiles}/${p.totalFiles} files ${formatBytes(p.doneBytes)}/${formatBytes(p.totalBytes)} ${file}`);
    });
    const onAbort = () => job.cancel();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let result;
    try {
      result = await job.start();
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      ctx.progress.done();
    }
    if (ctx.json) printJson(ctx, result);
    else
      ctx.out(
        `Published content ${result.contentId}: ${result.uploaded.length} files uploaded (${formatBytes(result.bytesSent)}), ${result.skipped.length} already there.`,
      );
    return EXIT.ok;
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}
