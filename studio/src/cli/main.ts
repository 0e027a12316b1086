import { readFileSync } from 'node:fs';
import { isMediaError, MediaError } from '@spherecast/shared/media';
import { helpText, parseCommandLine, UsageError, type ParsedCommand } from './args.ts';
import { createContext, type CliContext } from './context.ts';
import { EXIT, EXIT_HELP, exitCodeFor, type ExitCode } from './exit-codes.ts';
import { checkCommand } from './commands/check.ts';
import { liveCommand } from './commands/live.ts';
import { probeCommand } from './commands/probe.ts';
import { publishCommand } from './commands/publish.ts';
import { transcodeCommand } from './commands/transcode.ts';

function run(parsed: ParsedCommand, ctx: CliContext): Promise<ExitCode> {
  switch (parsed.command) {
    case 'probe':
      return probeCommand(parsed.args, ctx);
    case 'check':
      return checkCommand(parsed.args, ctx);
    case 'transcode':
      return transcodeCommand(parsed.args, ctx);
    case 'publish':
      return publishCommand(parsed.args, ctx);
    case 'live':
      return liveCommand(parsed.args, ctx);
  }
}

/** Runs the CLI and returns its exit code (see EXIT_HELP). */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  const wantsJson = argv.includes('--json');
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (wantsJson) process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message: error.message } })}\n`);
    process.stderr.write(
      `spherecast-studio${error.command ? ` ${error.command}` : ''}: ${error.message}\nRun \`spherecast-studio ${error.command ? `${error.command} ` : ''}--help\` for usage.\n`,
    );
    return EXIT.usage;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(`${helpText(parsed.command)}\n${EXIT_HELP}\n`);
    return EXIT.ok;
  }
  if (parsed.kind === 'version') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return EXIT.ok;
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.cancelled);
    process.stderr.write('\nCancelling… (press Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const ctx = createContext(parsed.args.json, controller.signal);
  try {
    return await run(parsed, ctx);
  } catch (error) {
    ctx.progress.done();
    // Ctrl-C in a terminal reaches ffmpeg too; it may exit before our SIGINT handler has run.
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (isMediaError(error)) {
      const cancelled = controller.signal.aborted || interrupts > 0;
      const reported = cancelled && error.code !== 'CANCELLED' ? new MediaError('CANCELLED', 'Cancelled; nothing was written.', { cause: error }) : error;
      // One line: in --json mode every stdout line is one JSON object (live prints one event per line).
      if (ctx.json) ctx.out(JSON.stringify({ error: reported.toJSON() }));
      ctx.err(`spherecast-studio ${parsed.command}: ${reported.message}`);
      return cancelled ? EXIT.cancelled : exitCodeFor(reported.code);
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

process.exitCode = await main(process.argv.slice(2));
