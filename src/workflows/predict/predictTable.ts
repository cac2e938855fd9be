/**
 * The prediction tables written by `galmorph predict`, one row per galaxy and one column per answer:
 * - full: `id`, then per answer `<answer>_fraction`, `<answer>_lower`, `<answer>_upper` (90% interval),
 *   `<answer>_expected_votes`, then per question `<question>_p_asked`;
 * - friendly: `id`, then per answer `<answer>` = the vote fraction, left blank when the question is unlikely to be
 *   asked (P(asked) < `askedThreshold`, default 0.5: most volunteers would never see the question, so its fraction
 *   is a guess about a hypothetical), then per question `<question>_p_asked`.
 * Both then get, when the galaxies' BALD was computed (`--bald`; the sharded predict's one table too), per question `<question>_bald` — the
 * mutual information between the votes the galaxy's question would receive and the model's weights, in nats
 * (activeLearnBald.ts: galaxyBald) — and `bald`, their sum: the active-learning score of which galaxy to label next.
 * Blank cells are empty in CSV and NaN in Parquet.
 */
import type { Schema } from '../../data/schema.js';
import type { GalaxyBald } from '../activeLearning/activeLearnBald.js';
import type { PredictionSummary } from './predictSummary.js';

export interface PredictionTable {
  header: string[];
  /** Column-major numbers (NaN = blank). */
  columns: Float64Array[];
  ids: string[];
}

export const DEFAULT_ASKED_THRESHOLD = 0.5;

export function fullPredictionTable(ids: string[], s: PredictionSummary): PredictionTable {
  const header: string[] = [];
  const columns: Float64Array[] = [];
  s.answers.forEach((a, k) => {
    for (const [suffix, source] of [['fraction', s.fraction], ['lower', s.lower], ['upper', s.upper], ['expected_votes', s.expectedVotes]] as const) {
      header.push(`${a.key}_${suffix}`);
      columns.push(Float64Array.from(source, (row) => row[k]));
    }
  });
  appendAsked(s, header, columns);
  return { header, columns, ids };
}

/** The name of the total BALD column. */
export const BALD_COLUMN = 'bald';

/** Adds the BALD columns (`<question>_bald` …, then `bald`) to a table. */
export function withBald(table: PredictionTable, bald: GalaxyBald, schema: Schema): PredictionTable {
  return {
    ids: table.ids,
    header: [...table.header, ...bald.questions.map((q) => `${schema.questions[q].key}_bald`), BALD_COLUMN],
    columns: [...table.columns, ...bald.perQuestion, bald.total],
  };
}

export function friendlyPredictionTable(ids: string[], s: PredictionSummary, askedThreshold = DEFAULT_ASKED_THRESHOLD): PredictionTable {
  const header: string[] = [];
  const columns: Float64Array[] = [];
  s.answers.forEach((a, k) => {
    const q = s.questions.findIndex((question) => question.index === a.questionIndex);
    header.push(a.key);
    columns.push(Float64Array.from(s.fraction, (row, b) => (s.probabilityAsked[b][q] < askedThreshold ? Number.NaN : row[k])));
  });
  appendAsked(s, header, columns);
  return { header, columns, ids };
}

function appendAsked(s: PredictionSummary, header: string[], columns: Float64Array[]): void {
  s.questions.forEach((q, k) => {
    header.push(`${q.key}_p_asked`);
    columns.push(Float64Array.from(s.probabilityAsked, (row) => row[k]));
  });
}
