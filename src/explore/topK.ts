/**
 * The k highest-scoring items of a stream, in O(k) memory and O(log k) per item (a binary min-heap whose root is the
 * worst item kept): acquisition keeps the best 10 of millions of candidates, rankings the top 200 of a catalog,
 * without sorting or holding the whole stream. Ties go to the smaller index, so results do not depend on the order
 * items arrive in.
 */
import { OptionError } from '../util/errors.js';

export interface Scored<T> {
  index: number;
  score: number;
  item: T;
}

/** a ranks below b: a lower score, or the same score and a larger index. */
function worse<T>(a: Scored<T>, b: Scored<T>): boolean {
  return a.score < b.score || (a.score === b.score && a.index > b.index);
}

export class TopK<T = undefined> {
  readonly k: number;
  private readonly heap: Scored<T>[] = [];

  constructor(k: number) {
    if (!Number.isInteger(k) || k < 1) throw new OptionError('k', 'a positive integer', k);
    this.k = k;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Offers an item; NaN scores are refused (they would rank nowhere). */
  push(index: number, score: number, item: T): void {
    if (Number.isNaN(score)) throw new OptionError('score', `a number (item ${index})`, score);
    const entry = { index, score, item };
    const h = this.heap;
    if (h.length < this.k) {
      h.push(entry);
      this.up(h.length - 1);
    } else if (worse(h[0], entry)) {
      h[0] = entry;
      this.down(0);
    }
  }

  /** The kept items, best first. */
  sorted(): Scored<T>[] {
    return [...this.heap].sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && worse(h[l], h[m])) m = l;
      if (r < h.length && worse(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
