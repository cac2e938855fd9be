/**
 * Predictive distributions of one answer's vote count k = 0…N, per galaxy, as equal-weight mixtures over the
 * MC-dropout passes (zoobot and Walmsley 2019 average passes):
 * - a binomial head: (1/T) Σ_t Binomial(k; N, ρ_t),
 * - a Dirichlet-multinomial head: the marginal of answer a is Beta-binomial(k; N, α_a, A − α_a) per pass, so
 *   (1/T) Σ_t BetaBinomial(k; N, α_t,a, A_t − α_t,a).
 */
import { InputError } from '../util/errors.js';
import { betaBinomialPmfVector, binomialPmfVector } from './voteDistributions.js';
import { type PassArray2D, type PassArray3D, passesByGalaxy, passesByGalaxyByAnswer } from './passPredictions.js';

/**
 * @param rho [T, B] predicted probabilities
 * @param votes N per galaxy (length B)
 * @returns per galaxy a pmf over k = 0…N_b
 */
export function binomialMixturePredictive(rho: PassArray2D, votes: readonly number[]): Float64Array[] {
  const passes = passesByGalaxy(rho, 'binomialMixturePredictive');
  requireVotes(votes, passes[0].length, 'binomialMixturePredictive');
  return votes.map((n, b) => mixture(passes.map((pass) => binomialPmfVector(n, pass[b])), n));
}

/**
 * @param concentrations [T, B, A] Dirichlet concentrations
 * @param question the question's answer columns [start, end)
 * @param answer the column of the answer whose count is predicted (inside `question`)
 * @param votes N_q per galaxy (length B)
 */
export function betaBinomialMixturePredictive(
  concentrations: PassArray3D,
  question: readonly [number, number],
  answer: number,
  votes: readonly number[],
): Float64Array[] {
  const cube = passesByGalaxyByAnswer(concentrations, 'betaBinomialMixturePredictive');
  const [start, end] = question;
  if (!(Number.isInteger(answer) && start <= answer && answer < end && end <= cube[0][0].length && start >= 0)) {
    throw new InputError(
      `betaBinomialMixturePredictive: answer ${answer} must lie in question [${start}, ${end}) within ${cube[0][0].length} answer columns`,
    );
  }
  requireVotes(votes, cube[0].length, 'betaBinomialMixturePredictive');
  return votes.map((n, b) =>
    mixture(
      cube.map((pass) => {
        const alpha = pass[b];
        let total = 0;
        for (let a = start; a < end; a++) total += alpha[a];
        return betaBinomialPmfVector(n, alpha[answer], total - alpha[answer]);
      }),
      n,
    ),
  );
}

function mixture(pmfs: Float64Array[], n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (const p of pmfs) for (let k = 0; k <= n; k++) out[k] += p[k] / pmfs.length;
  return out;
}

function requireVotes(votes: readonly number[], galaxies: number, caller: string): void {
  if (votes.length !== galaxies) throw new InputError(`${caller}: ${votes.length} vote totals for ${galaxies} galaxies`);
  votes.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 0) throw new InputError(`${caller}: votes[${b}] = ${n}, expected a non-negative integer`);
  });
}
