/**
 * The alternating schedule's batch stream for one epoch: one pass over the unlabelled images, each unlabelled
 * batch preceded by a labelled batch; the labelled loader is cycled (restarting with a new epoch's shuffle) so it
 * lasts as long as the unlabelled one.
 */
import type { HostBatch } from '../../data/hostBatch.js';

export interface BatchSource {
  batches(epoch: number): AsyncGenerator<HostBatch>;
}

export async function* alternatingBatches(labelled: BatchSource, unlabelled: BatchSource, epoch: number): AsyncGenerator<HostBatch> {
  let cycle = 0;
  let labelledIt = labelled.batches(epoch * 1000 + cycle);
  try {
    for await (const u of unlabelled.batches(epoch)) {
      let next = await labelledIt.next();
      if (next.done) {
        cycle += 1;
        labelledIt = labelled.batches(epoch * 1000 + cycle);
        next = await labelledIt.next();
        if (next.done) throw new Error('alternatingBatches: the labelled set gave no batches');
      }
      yield next.value;
      yield u;
    }
  } finally {
    await labelledIt.return(undefined);
  }
}
