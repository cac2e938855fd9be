/** What a Table 1 cell's training and scoring made (not how long it took): what queued and single-process runs must share. */
import type { CellResult } from '../../src/workflows/table1/table1Cell.js';

export const cellOutcome = (c: CellResult) => ({
  regime: c.regime, labels: c.labels, seed: c.seed, test: c.test, bestValidation: c.bestValidation, steps: c.budget.map((b) => b.steps),
});
