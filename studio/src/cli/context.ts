import { ProgressBar } from './progress-bar.ts';

/** What every command gets: where to write, the cancellation signal, and the output mode. */
export interface CliContext {
  json: boolean;
  signal: AbortSignal;
  out: (text: string) => void;
  err: (text: string) => void;
  progress: ProgressBar;
}

export function createContext(json: boolean, signal: AbortSignal): CliContext {
  return {
    json,
    signal,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    // JSON mode keeps the terminal quiet except for the result.
    progress: new ProgressBar(process.stderr, !json && process.stderr.isTTY === true),
  };
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2));
}
