import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkStitching } from '@spherecast/shared/media';
import type { CommandArgs } from '../args.ts';
import { printJson, type CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

export async function checkCommand(args: CommandArgs<'check'>, ctx: CliContext): Promise<ExitCode> {
  const picturesDir = args.pictures ?? (ctx.json ? undefined : await mkdtemp(path.join(os.tmpdir(), 'spherecast-check-')));
  if (!ctx.json) ctx.err(`Checking ${args.file} (${args.samples} frames)…`);
  const report = await checkStitching(args.file, { samples: args.samples, signal: ctx.signal, ...(picturesDir ? { picturesDir } : {}) });
  const failed = report.checks.some((c) => c.status === 'fail');
  if (ctx.json) {
    printJson(ctx, report);
  } else {
    for (const c of report.checks) {
      const value = c.value === null ? '' : ` ${c.value}${c.threshold === null ? '' : ` (limit ${c.threshold})`}`;
      ctx.out(`${MARK[c.status]}  ${c.id.padEnd(20)}${value}\n      ${c.message}${c.picture ? `\n      picture: ${c.picture}` : ''}`);
    }
    const counts = (['pass', 'warn', 'fail'] as const).map((s) => `${report.checks.filter((c) => c.status === s).length} ${s}`).join(', ');
    ctx.out(`\n${failed ? 'FAILED' : 'OK'}: ${counts}`);
  }
  return failed ? EXIT.checkFailed : EXIT.ok;
}
