/**
 * The s3VDC training schedule of AstroVaDEr (ALGORITHMS.md §6), as a pure function of the optimiser step, so every
 * trainer (this thread or data-parallel workers) and a resumed run agree on the objective of each step:
 *   - γ-training warm-up, steps [0, warmup): Rec + γ·KL(q ‖ N(0, I)) with a small weight γ;
 *   - then periods of `anneal + static` steps: at c = (t − warmup) mod (anneal + static), annealing steps (c < anneal)
 *     minimise Rec + β·latent with the cubic ramp β = (c/anneal)³ + γ, static steps Rec + latent.
 * Mini-batch GMM initialisation happens between the warm-up and the first period (the workflow's job).
 * After the last period the schedule stays static (a run trained past it keeps the full objective).
 */
import { check, resolveOptions, type Spec } from '../util/options.js';

export interface VadeSchedule {
  /** Steps of γ-training before the GMM initialisation. */
  warmupSteps: number;
  /** Steps of each annealing part of a period. */
  annealSteps: number;
  /** Steps of each static part of a period. */
  staticSteps: number;
  /** γ, the KL weight of the warm-up, also added to the annealing ramp. */
  klWeight: number;
}

const SPEC: Spec<VadeSchedule> = {
  warmupSteps: check.integer(0),
  annealSteps: check.integer(0),
  staticSteps: check.integer(0),
  klWeight: check.number(0, 1),
};

export function resolveVadeSchedule(given: VadeSchedule): VadeSchedule {
  return resolveOptions({ warmupSteps: 0, annealSteps: 0, staticSteps: 0, klWeight: 0 }, SPEC, given);
}

export const VADE_PHASES = ['warmup', 'anneal', 'static'] as const;
export type VadePhase = (typeof VADE_PHASES)[number];

/** The objective of step `step` (0-based): its phase and the weight of its latent term. */
export function scheduleAt(s: VadeSchedule, step: number): { phase: VadePhase; weight: number } {
  if (step < s.warmupSteps) return { phase: 'warmup', weight: s.klWeight };
  const period = s.annealSteps + s.staticSteps;
  const c = period === 0 ? s.annealSteps : (step - s.warmupSteps) % period;
  if (c < s.annealSteps) return { phase: 'anneal', weight: (c / s.annealSteps) ** 3 + s.klWeight };
  return { phase: 'static', weight: 1 };
}
