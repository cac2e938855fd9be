/**
 * BALD (mutual information between the votes a galaxy would receive and the model weights), from T MC-dropout
 * passes, per galaxy:  MI = H[(1/T) Σ_t p_t] − (1/T) Σ_t H[p_t],  with entropies in nats.
 *
 * - Binomial form (Walmsley et al. 2019): one yes/no answer, p_t(k) = Binomial(k; N, ρ_t), k = 0…N
 *   (reference: T = 15, N = 40).
 * - Dirichlet-multinomial form: for every question q of a schema, p_t = DirichletMultinomial(·; N_q, α_t,q) over the
 *   count vectors of that question with N_q expected votes. The total MI is the sum over questions: it treats each
 *   question's votes as a separate observation (as the training likelihood does, which factorises over questions),
 *   which is the per-question decomposition the reference (§4) describes. It is not the MI of the joint vote vector
 *   across questions, which would need the questions' dependence through the weights.
 *   Each question is evaluated exactly by enumerating its C(N_q + A_q − 1, A_q − 1) count vectors when there are at
 *   most `maxEnumerated`; otherwise by Monte Carlo: for each pass t, `samplesPerPass` count vectors k ~ p_t are
 *   drawn with the Pólya urn, and
 *     E_t H[p_t] ≈ −mean ln p_t(k),  H[p̄] ≈ −mean ln p̄(k),  MI ≈ mean [ln p_t(k) − ln p̄(k)]
 *   (p̄ = (1/T) Σ_t p_t is evaluated exactly at each sample). The estimate is unbiased for the two entropies and its
 *   standard error shrinks as 1/√(T · samplesPerPass).
 */
import { Rng } from '../util/rng.js';
import { check, resolveOptions } from '../util/options.js';
import { InputError } from '../util/errors.js';
import {
  DirichletMultinomialLogPmf,
  binomialPmfVector,
  countVectorCount,
  forEachCountVector,
} from './voteDistributions.js';
import { type PassArray2D, type PassArray3D, passesByGalaxy, passesByGalaxyByAnswer } from './passPredictions.js';

/** Per-galaxy uncertainty from MC-dropout passes (nats). */
export interface BaldResult {
  /** H[mean_t p_t]: total predictive entropy (the 'entropy' acquisition score). */
  predictiveEntropy: Float64Array;
  /** mean_t H[p_t]: expected entropy of a single pass (aleatoric part). */
  expectedEntropy: Float64Array;
  /** predictiveEntropy − expectedEntropy: the BALD score (epistemic part). */
  mutualInformation: Float64Array;
}

export interface BinomialBaldOptions {
  /**
   * N, the number of volunteer votes expected for the question.
   * @default 40
   */
  votes: number;
}

const BINOMIAL_DEFAULTS: BinomialBaldOptions = { votes: 40 };
const BINOMIAL_SPEC = { votes: check.integer(1, 100_000) };

/**
 * @param rho predicted probability of the answer, [T passes, B galaxies], values in [0, 1]
 */
export function binomialBald(rho: PassArray2D, options: Partial<BinomialBaldOptions> = {}): BaldResult {
  const { votes } = resolveOptions(BINOMIAL_DEFAULTS, BINOMIAL_SPEC, options);
  const passes = passesByGalaxy(rho, 'binomialBald');
  const galaxies = passes[0].length;
  const result = emptyResult(galaxies);
  const mean = new Float64Array(votes + 1);
  for (let b = 0; b < galaxies; b++) {
    mean.fill(0);
    let expected = 0;
    for (let t = 0; t < passes.length; t++) {
      const r = passes[t][b];
      if (!(r >= 0 && r <= 1)) {
        throw new InputError(`binomialBald: rho[${t}][${b}] = ${r}, expected a probability in [0, 1]`);
      }
      const p = binomialPmfVector(votes, r);
      expected += entropy(p);
      for (let k = 0; k <= votes; k++) mean[k] += p[k] / passes.length;
    }
    setGalaxy(result, b, entropy(mean), expected / passes.length);
  }
  return result;
}

export interface DirichletMultinomialBaldOptions {
  /**
   * Expected votes N_q per question: one number for every question, or one per question (e.g. fewer for questions
   * only asked after a particular earlier answer). A question with N_q = 0 contributes 0.
   * @default 40
   */
  expectedVotes: number | number[];
  /**
   * Largest number of count vectors per question evaluated exactly; beyond it, Monte Carlo.
   * @default 5000
   */
  maxEnumerated: number;
  /**
   * Monte-Carlo samples drawn from each pass when a question is too large to enumerate.
   * @default 400
   */
  samplesPerPass: number;
  /**
   * Seed of the Monte-Carlo sampling (each galaxy and question gets its own derived stream).
   * @default 0
   */
  seed: number;
}

const DM_DEFAULTS: DirichletMultinomialBaldOptions = { expectedVotes: 40, maxEnumerated: 5000, samplesPerPass: 400, seed: 0 };
const DM_SPEC = {
  expectedVotes: (v: number | number[], name: string) => {
    if (Array.isArray(v)) check.integerList(0)(v, name);
    else check.integer(0, 100_000)(v, name);
  },
  maxEnumerated: check.integer(1),
  samplesPerPass: check.integer(1),
  seed: check.integer(),
};

export interface DirichletMultinomialBaldResult extends BaldResult {
  /** The same three quantities per question: perQuestion[q].mutualInformation[b]. */
  perQuestion: BaldResult[];
}

/**
 * @param concentrations Dirichlet concentrations α, [T passes, B galaxies, A answers] (all > 0)
 * @param questionSlices each question's answer columns [start, end)
 */
export function dirichletMultinomialBald(
  concentrations: PassArray3D,
  questionSlices: readonly (readonly [number, number])[],
  options: Partial<DirichletMultinomialBaldOptions> = {},
): DirichletMultinomialBaldResult {
  const resolved = resolveOptions(DM_DEFAULTS, DM_SPEC, options);
  const cube = passesByGalaxyByAnswer(concentrations, 'dirichletMultinomialBald');
  const answers = cube[0][0].length;
  questionSlices.forEach(([start, end], q) => {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > answers || end <= start) {
      throw new InputError(
        `dirichletMultinomialBald: question ${q} has slice [${start}, ${end}), expected 0 ≤ start < end ≤ ${answers}`,
      );
    }
  });
  const votes = Array.isArray(resolved.expectedVotes)
    ? resolved.expectedVotes
    : questionSlices.map(() => resolved.expectedVotes as number);
  if (votes.length !== questionSlices.length) {
    throw new InputError(
      `dirichletMultinomialBald: expectedVotes has ${votes.length} entries for ${questionSlices.length} questions`,
    );
  }
  const galaxies = cube[0].length;
  const total = emptyResult(galaxies);
  const perQuestion = questionSlices.map(([start, end], q) => {
    const result = emptyResult(galaxies);
    for (let b = 0; b < galaxies; b++) {
      const alphas = cube.map((pass, t) => {
        const alpha = pass[b].slice(start, end);
        if (!alpha.every((a) => a > 0 && Number.isFinite(a))) {
          throw new InputError(`dirichletMultinomialBald: concentrations[${t}][${b}] has a non-positive value in question ${q}`);
        }
        return alpha;
      });
      const [predictive, expected] =
        countVectorCount(votes[q], end - start) <= resolved.maxEnumerated
          ? enumeratedEntropies(votes[q], alphas)
          : sampledEntropies(votes[q], alphas, resolved.samplesPerPass, Rng.derive(resolved.seed, b, q));
      setGalaxy(result, b, predictive, expected);
      total.predictiveEntropy[b] += predictive;
      total.expectedEntropy[b] += expected;
      total.mutualInformation[b] += predictive - expected;
    }
    return result;
  });
  return { ...total, perQuestion };
}

/** [H[p̄], mean_t H[p_t]] by visiting every count vector. */
function enumeratedEntropies(votes: number, alphas: number[][]): [number, number] {
  const pmfs = alphas.map((alpha) => new DirichletMultinomialLogPmf(votes, alpha));
  const passes = pmfs.length;
  let predictive = 0;
  let expected = 0;
  forEachCountVector(votes, alphas[0].length, (counts) => {
    let mean = 0;
    for (const pmf of pmfs) {
      const logP = pmf.at(counts);
      const p = Math.exp(logP);
      mean += p / passes;
      if (p > 0) expected -= (p * logP) / passes;
    }
    if (mean > 0) predictive -= mean * Math.log(mean);
  });
  return [predictive, expected];
}

/** Monte-Carlo [H[p̄], mean_t H[p_t]] from samples of each pass (see the file comment). */
function sampledEntropies(votes: number, alphas: number[][], samplesPerPass: number, rng: Rng): [number, number] {
  const pmfs = alphas.map((alpha) => new DirichletMultinomialLogPmf(votes, alpha));
  const passes = pmfs.length;
  const counts = new Int32Array(alphas[0].length);
  const weights = new Float64Array(alphas[0].length);
  let predictive = 0;
  let expected = 0;
  for (let t = 0; t < passes; t++) {
    for (let s = 0; s < samplesPerPass; s++) {
      polyaUrnSample(votes, alphas[t], counts, weights, rng);
      const logPs = pmfs.map((pmf) => pmf.at(counts));
      expected -= logPs[t];
      predictive -= logMeanExp(logPs);
    }
  }
  const n = passes * samplesPerPass;
  return [predictive / n, expected / n];
}

/** One draw from DirichletMultinomial(N, α): N urn draws, each adding a ball of the drawn colour. */
function polyaUrnSample(votes: number, alpha: readonly number[], counts: Int32Array, weights: Float64Array, rng: Rng): void {
  counts.fill(0);
  for (let a = 0; a < alpha.length; a++) weights[a] = alpha[a];
  for (let v = 0; v < votes; v++) {
    const a = rng.categorical(weights);
    counts[a] += 1;
    weights[a] += 1;
  }
}

function logMeanExp(values: number[]): number {
  const max = Math.max(...values);
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (const v of values) s += Math.exp(v - max);
  return max + Math.log(s / values.length);
}

/** Shannon entropy (nats) of a probability vector. */
export function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  return h;
}

function emptyResult(galaxies: number): BaldResult {
  return {
    predictiveEntropy: new Float64Array(galaxies),
    expectedEntropy: new Float64Array(galaxies),
    mutualInformation: new Float64Array(galaxies),
  };
}

function setGalaxy(result: BaldResult, b: number, predictive: number, expected: number): void {
  result.predictiveEntropy[b] = predictive;
  result.expectedEntropy[b] = expected;
  result.mutualInformation[b] = predictive - expected;
}
