/**
 * The one definition of how far predicted vote fractions p are from the volunteers' fractions f = k / N_q.
 *
 * Which galaxies count: for question q, a galaxy counts when the question received votes (N_q = Σ_{a in q} k_a > 0),
 * so its fractions are defined. A galaxy that was never asked q is left out of q's figures and counted.
 * With `minAskedFraction` m > 0 a galaxy counts only when at least a share m of its volunteers were asked q:
 * N_q ≥ m · max_{q'} N_{q'} over the questions scored (the first question of a decision tree is asked of everyone,
 * so the maximum is the galaxy's volunteer count). m = 0.5 is the convention of Walmsley et al. (2022): a question
 * deep in the tree that one or two volunteers reached has fractions that are mostly vote noise.
 *
 * Per question q over its counted galaxies i and answers a:
 *   sum-abs = mean_i Σ_a |p_ia − f_ia|   (the ET-VAE paper's Table 1 "RMSE"; the yardstick's "paper" metric)
 *   RMSE    = √ mean_{i,a} (p_ia − f_ia)²
 *   MAE     = mean_{i,a} |p_ia − f_ia|
 * (over the answers the model predicts: a one-answer binomial head scores that answer alone)
 * Per answer: RMSE and MAE over the galaxies its question counts. Pooled: RMSE and MAE over every counted
 * (galaxy, answer) pair of every question.
 */
export interface QuestionColumns {
  key: string;
  /** The question's answer columns [start, end) in the prediction and count rows. */
  start: number;
  end: number;
  /** Answer keys, one per column start…end−1; null for a column the model does not predict (not scored). */
  answers: readonly (string | null)[];
}

export interface AnswerErrors {
  answer: string;
  question: string;
  galaxies: number;
  rmse: number;
  mae: number;
}

export interface QuestionErrors {
  question: string;
  /** Galaxies whose question received votes. */
  galaxies: number;
  /** Galaxies left out: the question got no votes. */
  leftOut: number;
  sumAbs: number;
  rmse: number;
  mae: number;
}

export interface VoteFractionMetrics {
  /** Pooled over every counted (galaxy, answer) pair. */
  rmse: number;
  mae: number;
  perQuestion: QuestionErrors[];
  perAnswer: AnswerErrors[];
}

/** N_q: the votes one galaxy's question received (the rule: the galaxy counts for q when this is > 0). */
export function questionVotes(counts: ArrayLike<number>, q: Pick<QuestionColumns, 'start' | 'end'>): number {
  let votes = 0;
  for (let a = q.start; a < q.end; a++) votes += counts[a];
  return votes;
}

/** One galaxy's error on one question: Σ|p − f| over the predicted answers, with both fraction vectors. */
export interface GalaxyError {
  /** Row index in the inputs. */
  galaxy: number;
  sumAbs: number;
  predicted: number[];
  observed: number[];
}

/** Per-galaxy sum-abs on question q, for the galaxies that count for it (same rule as voteFractionMetrics). */
export function galaxyErrors(predicted: readonly ArrayLike<number>[], counts: readonly ArrayLike<number>[], q: QuestionColumns): GalaxyError[] {
  const cols = q.answers.map((key, k) => (key === null ? -1 : q.start + k)).filter((a) => a >= 0);
  const out: GalaxyError[] = [];
  counts.forEach((c, galaxy) => {
    const votes = questionVotes(c, q);
    if (!(votes > 0)) return;
    const p = cols.map((a) => predicted[galaxy][a]);
    const f = cols.map((a) => c[a] / votes);
    out.push({ galaxy, sumAbs: p.reduce((s, v, k) => s + Math.abs(v - f[k]), 0), predicted: p, observed: f });
  });
  return out;
}

/** The share of volunteers asked a question that {@link voteFractionMetrics} takes as "asked by most". */
export const ASKED_BY_MOST = 0.5;

/**
 * @param predicted per galaxy, predicted fractions indexed by column (only the questions' columns are read)
 * @param counts per galaxy, vote counts indexed by the same columns
 * @param options.minAskedFraction count a galaxy for q only when N_q ≥ this share of its volunteers (default 0)
 */
export function voteFractionMetrics(
  predicted: readonly ArrayLike<number>[], counts: readonly ArrayLike<number>[], questions: readonly QuestionColumns[],
  options: { minAskedFraction?: number } = {},
): VoteFractionMetrics {
  const minAsked = options.minAskedFraction ?? 0;
  if (!(minAsked >= 0 && minAsked <= 1)) throw new Error(`voteFractionMetrics: minAskedFraction must be in [0, 1], got ${minAsked}`);
  const volunteers = counts.map((c) => Math.max(0, ...questions.map((q) => questionVotes(c, q))));
  if (predicted.length !== counts.length) {
    throw new Error(`voteFractionMetrics: ${predicted.length} prediction rows for ${counts.length} count rows`);
  }
  const perQuestion: QuestionErrors[] = [];
  const perAnswer: AnswerErrors[] = [];
  let pooledSq = 0;
  let pooledAbs = 0;
  let pairs = 0;
  for (const q of questions) {
    const width = q.end - q.start;
    const sq = new Float64Array(width);
    const ab = new Float64Array(width);
    let galaxies = 0;
    counts.forEach((c, i) => {
      const votes = questionVotes(c, q);
      if (!(votes > 0) || votes < minAsked * volunteers[i]) return;
      galaxies += 1;
      for (let a = 0; a < width; a++) {
        const d = predicted[i][q.start + a] - c[q.start + a] / votes;
        sq[a] += d * d;
        ab[a] += Math.abs(d);
      }
    });
    const scored = q.answers.map((a, k) => (a === null ? -1 : k)).filter((k) => k >= 0);
    const sumSq = scored.reduce((s, k) => s + sq[k], 0);
    const sumAb = scored.reduce((s, k) => s + ab[k], 0);
    const none = galaxies === 0 || scored.length === 0;
    perQuestion.push({
      question: q.key, galaxies, leftOut: counts.length - galaxies,
      sumAbs: none ? Number.NaN : sumAb / galaxies,
      rmse: none ? Number.NaN : Math.sqrt(sumSq / (galaxies * scored.length)),
      mae: none ? Number.NaN : sumAb / (galaxies * scored.length),
    });
    for (const k of scored) {
      perAnswer.push({ answer: q.answers[k] as string, question: q.key, galaxies,
        rmse: none ? Number.NaN : Math.sqrt(sq[k] / galaxies), mae: none ? Number.NaN : ab[k] / galaxies });
    }
    pooledSq += sumSq;
    pooledAbs += sumAb;
    pairs += galaxies * scored.length;
  }
  return { rmse: pairs > 0 ? Math.sqrt(pooledSq / pairs) : Number.NaN, mae: pairs > 0 ? pooledAbs / pairs : Number.NaN, perQuestion, perAnswer };
}

/**
 * The predict-the-mean baseline's fractions: per question, the mean over the galaxies that were asked it of their
 * vote fractions (a row of column values; columns outside the questions are NaN).
 */
export function meanVoteFractions(counts: readonly ArrayLike<number>[], questions: readonly QuestionColumns[], columns: number): Float64Array {
  const mean = new Float64Array(columns).fill(Number.NaN);
  for (const q of questions) {
    const sums = new Float64Array(q.end - q.start);
    let galaxies = 0;
    for (const c of counts) {
      const votes = questionVotes(c, q);
      if (!(votes > 0)) continue;
      galaxies += 1;
      for (let a = q.start; a < q.end; a++) sums[a - q.start] += c[a] / votes;
    }
    for (let a = q.start; a < q.end; a++) mean[a] = galaxies > 0 ? sums[a - q.start] / galaxies : Number.NaN;
  }
  return mean;
}

/**
 * One question's errors from flat N × A arrays (Table 1's single-question scores): `reference` holds vote counts,
 * or fractions, or true probabilities — any per-galaxy multiple of the counts gives the same fractions, and a row
 * summing to 0 (the question was not asked) is left out and counted, by the same rule as voteFractionMetrics.
 */
export function questionErrors(
  predicted: ArrayLike<number>, reference: ArrayLike<number>, question: { key: string; answers: readonly string[] },
): QuestionErrors {
  const width = question.answers.length;
  if (predicted.length !== reference.length || predicted.length % width !== 0) {
    throw new Error(`questionErrors: predictions (${predicted.length} values) and references (${reference.length}) must both be N × ${width}`);
  }
  const rows = (values: ArrayLike<number>) => Array.from({ length: values.length / width }, (_, i) => Array.prototype.slice.call(values, i * width, (i + 1) * width) as number[]);
  const metrics = voteFractionMetrics(rows(predicted), rows(reference), [{ key: question.key, start: 0, end: width, answers: question.answers }]);
  return metrics.perQuestion[0];
}

/** Mean over galaxies and answers of |p − q| between two prediction sets of the same galaxies (e.g. rotated vs not). */
export function meanAbsDifference(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length || p.length === 0) throw new Error(`meanAbsDifference: sizes ${p.length} and ${q.length} must match and be > 0`);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - q[i]);
  return s / p.length;
}
