/**
 * Simulated volunteers: each walks the schema's decision tree, answering every question it reaches by drawing
 * from the true answer probabilities, and moving on only to questions whose parent answer it chose. Counting
 * their answers gives vote counts in which a child question never has more votes than its parent answer had
 * (and, for a tree where every question has a single parent answer, exactly as many).
 */
import type { Rng } from '../../util/rng.js';
import type { Schema } from '../schema.js';

/** Vote counts per schema answer from `volunteers` volunteers answering with per-question probabilities `p`. */
export function sampleVotes(schema: Schema, p: Float32Array, volunteers: number, rng: Rng): Float32Array {
  const counts = new Float32Array(schema.numAnswers);
  const chosen = new Int32Array(schema.numQuestions);
  for (let v = 0; v < volunteers; v++) {
    for (const q of schema.questions) {
      const parent = q.parent;
      if (parent !== null && chosen[parent.questionIndex] !== parent.answerIndex) {
        chosen[q.index] = -1;
        continue;
      }
      let r = rng.uniform();
      let pick = q.end - 1;
      for (let a = q.start; a < q.end; a++) {
        r -= p[a];
        if (r < 0) {
          pick = a;
          break;
        }
      }
      chosen[q.index] = pick;
      counts[pick] += 1;
    }
  }
  return counts;
}
