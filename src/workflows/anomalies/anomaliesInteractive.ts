/**
 * The interactive rater of `galmorph anomalies --interactive`: for each galaxy a round picked it prints the id, the
 * image's path, the GP's guess and (on a colour terminal) a small thumbnail drawn with half-block characters, then
 * asks for an interest rating 0–5 on the input stream; `q` (or the end of the input) stops, and the session resumes
 * from the ratings file. The browser front end of the explorer issue is another Rater over the same loop.
 */
import { createInterface, type Interface } from 'node:readline';
import sharp from 'sharp';
import type { Rater, RateRequest } from './anomaliesLoop.js';
import { isRating, MAX_RATING } from './anomaliesRatings.js';

export interface InteractiveRaterOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  ids: readonly string[];
  /** Absolute image path per galaxy (null: no catalog was given). */
  images: readonly string[] | null;
  /** Draw a thumbnail in the terminal (24-bit colour half blocks). */
  thumbnails: boolean;
  /** Called when a round starts (the job writes the round's galaxies as a PNG grid); returns the file written. */
  onRoundStart?: (requests: readonly RateRequest[]) => Promise<string | null>;
}

/** Thumbnail side in pixels (two pixel rows per text row). */
const THUMB = 32;

/** A thumbnail of the image as lines of ▀ with 24-bit foreground (upper pixel) and background (lower pixel) colours. */
export async function terminalThumbnail(path: string, side = THUMB): Promise<string> {
  const { data } = await sharp(path).resize(side, side, { fit: 'fill' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const lines: string[] = [];
  const px = (x: number, y: number) => {
    const o = (y * side + x) * 3;
    return `${data[o]};${data[o + 1]};${data[o + 2]}`;
  };
  for (let y = 0; y < side; y += 2) {
    let line = '';
    for (let x = 0; x < side; x++) line += `\x1b[38;2;${px(x, y)}m\x1b[48;2;${px(x, Math.min(side - 1, y + 1))}m▀`;
    lines.push(`${line}\x1b[0m`);
  }
  return lines.join('\n');
}

export class InteractiveRater implements Rater {
  private readonly lines: Interface;
  private readonly iterator: AsyncIterator<string>;
  private readonly o: InteractiveRaterOptions;

  constructor(options: InteractiveRaterOptions) {
    this.o = options;
    this.lines = createInterface({ input: options.input, terminal: false, crlfDelay: Infinity });
    this.iterator = this.lines[Symbol.asyncIterator]();
  }

  close(): void {
    this.lines.close();
  }

  private write(text: string): void {
    this.o.output.write(text);
  }

  async startRound(requests: readonly RateRequest[]): Promise<void> {
    const r = requests[0];
    if (r === undefined) return;
    const grid = (await this.o.onRoundStart?.(requests)) ?? null;
    const how = r.mean === null ? 'picked at random (first round)' : 'picked by expected improvement';
    this.write(`\nRound ${r.round + 1}: ${requests.length} galaxies ${how}${grid === null ? '' : `; all of them in ${grid}`}\n`);
  }

  async rate(request: RateRequest): Promise<number | null> {
    const id = this.o.ids[request.index];
    const image = this.o.images?.[request.index] ?? null;
    const guess = request.mean === null ? '' : `  (the model guesses ${request.mean.toFixed(1)} ± ${(request.sd ?? 0).toFixed(1)})`;
    this.write(`\n[round ${request.round + 1}, ${request.position}/${request.perRound}] galaxy ${id}${guess}\n`);
    if (image !== null) {
      this.write(`  image: ${image}\n`);
      if (this.o.thumbnails) {
        try {
          this.write(`${await terminalThumbnail(image)}\n`);
        } catch (e) {
          this.write(`  (no thumbnail: ${(e as Error).message})\n`);
        }
      }
    }
    for (;;) {
      this.write(`interest 0–${MAX_RATING} (0 = nothing special, ${MAX_RATING} = very interesting; q = save and stop): `);
      const next = await this.iterator.next();
      if (next.done === true) {
        this.write('\n(end of input: ratings saved; run the same command again to resume)\n');
        return null;
      }
      const text = next.value.trim().toLowerCase();
      if (text === 'q' || text === 'quit') return null;
      const v = text === '' ? Number.NaN : Number(text);
      if (isRating(v)) return v;
      this.write(`"${next.value.trim()}" is not a rating: type a whole number from 0 to ${MAX_RATING}, or q to stop\n`);
    }
  }
}
