/**
 * Progress bars with an ETA, written to stderr (a TTY redraws one line; a log file gets a line every ~10%).
 */

export interface ProgressOptions {
  /** Label shown before the bar. */
  label: string;
  /** Total number of units (steps, images, rounds). */
  total: number;
  /** Units word shown after the counter. @default 'it' */
  unit?: string;
  /** Stream to draw on. @default process.stderr */
  stream?: NodeJS.WriteStream;
}

export class ProgressBar {
  private readonly start = Date.now();
  private done = 0;
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly stream: NodeJS.WriteStream;
  private readonly unit: string;
  private suffix = '';

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.unit = opts.unit ?? 'it';
  }

  /** Advance by n units, with an optional status text such as the current loss. */
  tick(n = 1, status?: string): void {
    this.done = Math.min(this.opts.total, this.done + n);
    if (status !== undefined) this.suffix = status;
    const now = Date.now();
    const decile = Math.floor((10 * this.done) / Math.max(1, this.opts.total));
    if (this.stream.isTTY) {
      if (now - this.lastDraw > 200 || this.done === this.opts.total) this.draw(now);
    } else if (decile !== this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(this.line(now) + '\n');
    }
  }

  finish(status?: string): void {
    if (status !== undefined) this.suffix = status;
    this.done = this.opts.total;
    if (this.stream.isTTY) {
      this.draw(Date.now());
      this.stream.write('\n');
    } else if (this.lastDecile !== 10) {
      this.stream.write(this.line(Date.now()) + '\n');
    }
  }

  private draw(now: number): void {
    this.lastDraw = now;
    this.stream.write(`\r${this.line(now)}\x1b[K`);
  }

  private line(now: number): string {
    const { total, label } = this.opts;
    const frac = total > 0 ? this.done / total : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const elapsed = (now - this.start) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const eta = rate > 0 ? (total - this.done) / rate : NaN;
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    return `${label} ${bar} ${this.done}/${total} ${this.unit} ` +
      `[${formatSeconds(elapsed)} < ${formatSeconds(eta)}, ${rate.toFixed(rate < 10 ? 2 : 0)} ${this.unit}/s]` +
      (this.suffix ? ` ${this.suffix}` : '');
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
