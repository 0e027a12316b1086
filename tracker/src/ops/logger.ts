/** Log levels in increasing severity; `silent` writes nothing. */
export const LOG_LEVEL_NAMES = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVEL_NAMES)[number];

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Extra fields of a log line; values must be JSON-serialisable. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined | readonly string[]>>;

/**
 * Structured logger: one JSON object per line, `{ time, level, event, ...fields }`, where `event`
 * is a stable kebab-case name an operator can filter on. Lines below `level` are not even built.
 */
export class JsonLogger {
  private readonly threshold: number;

  constructor(
    level: LogLevel,
    private readonly sink: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
    private readonly base: LogFields = {},
  ) {
    this.threshold = SEVERITY[level];
  }

  enabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return SEVERITY[level] >= this.threshold;
  }

  debug(event: string, fields?: LogFields): void {
    if (this.threshold <= SEVERITY.debug) this.write('debug', event, fields);
  }

  info(event: string, fields?: LogFields): void {
    if (this.threshold <= SEVERITY.info) this.write('info', event, fields);
  }

  warn(event: string, fields?: LogFields): void {
    if (this.threshold <= SEVERITY.warn) this.write('warn', event, fields);
  }

  error(event: string, fields?: LogFields): void {
    if (this.threshold <= SEVERITY.error) this.write('error', event, fields);
  }

  private write(level: LogLevel, event: string, fields: LogFields | undefined): void {
    this.sink(JSON.stringify({ time: new Date().toISOString(), level, event, ...this.base, ...fields }));
  }
}
