/** A one-line progress bar on a TTY (stderr); silent elsewhere so pipes and logs stay clean. */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  #lastDraw = 0;
  #drawn = false;

  constructor(stream: NodeJS.WriteStream = process.stderr, enabled = stream.isTTY === true) {
    this.#stream = stream;
    this.#enabled = enabled;
  }

  update(percent: number, label: string, detail = ''): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#lastDraw < 100 && percent < 100) return;
    this.#lastDraw = now;
    const columns = this.#stream.columns ?? 80;
    const width = Math.max(10, Math.min(40, columns - 50));
    const clamped = Math.max(0, Math.min(100, percent));
    const filled = Math.round((clamped / 100) * width);
    const line = `${label.padEnd(9)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${clamped.toFixed(1).padStart(5)}% ${detail}`;
    this.#stream.write(`\r${line.slice(0, columns - 1).padEnd(columns - 1)}`);
    this.#drawn = true;
  }

  done(): void {
    if (this.#enabled && this.#drawn) this.#stream.write('\n');
    this.#drawn = false;
  }
}
