/**
 * A reusable barrier for data-parallel workers over a SharedArrayBuffer (Atomics), with an abort flag so
 * that a worker failing mid-step releases the others with an error instead of leaving them waiting forever.
 */

const COUNT = 0;
const GENERATION = 1;
const ABORTED = 2;
export const BARRIER_INTS = 3;

export class AbortedError extends Error {
  constructor() {
    super('another data-parallel worker failed; this step was abandoned');
    this.name = 'AbortedError';
  }
}

export class Barrier {
  private readonly control: Int32Array;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly parties: number,
  ) {
    this.control = new Int32Array(buffer, 0, BARRIER_INTS);
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(BARRIER_INTS * Int32Array.BYTES_PER_ELEMENT);
  }

  /** Blocks (Atomics.wait, worker threads only) until all parties arrive; throws if one aborted. */
  wait(): void {
    const c = this.control;
    if (Atomics.load(c, ABORTED) !== 0) throw new AbortedError();
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, COUNT, 1) === this.parties - 1) {
      Atomics.store(c, COUNT, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    while (Atomics.load(c, GENERATION) === generation) {
      if (Atomics.load(c, ABORTED) !== 0) throw new AbortedError();
      Atomics.wait(c, GENERATION, generation, 1000);
    }
    if (Atomics.load(c, ABORTED) !== 0) throw new AbortedError();
  }

  /** Marks the group failed and wakes every waiting party. */
  abort(): void {
    Atomics.store(this.control, ABORTED, 1);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
  }

  get aborted(): boolean {
    return Atomics.load(this.control, ABORTED) !== 0;
  }
}
