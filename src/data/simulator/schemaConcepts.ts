/**
 * How each question of the built-in Galaxy Zoo schemas (gz2, decals-dr5, q1) is answered in terms of the
 * simulator's concepts, and the resulting true per-question answer probabilities for a schema. A schema answer
 * may pool several concept answers (GZ2 "bar: yes" = strong + weak bar).
 */
import { InputError } from '../../util/errors.js';
import type { Schema } from '../schema.js';
import { CONCEPT_ANSWERS, type Concept, type ConceptProbabilities } from './conceptProbabilities.js';

interface QuestionConcept {
  concept: Concept;
  /** Schema answer key → the concept answers it pools. */
  answers: Record<string, readonly string[]>;
}

function same<C extends Concept>(concept: C, prefix: string, names: Record<string, string> = {}): QuestionConcept {
  const answers: Record<string, string[]> = {};
  for (const a of CONCEPT_ANSWERS[concept]) answers[`${prefix}${names[a] ?? a}`] = [a];
  return { concept, answers };
}

/** Keyed by question key; gz2 and q1 share `q1`. */
const QUESTION_CONCEPTS: Record<string, QuestionConcept> = {
  // Galaxy Zoo 2 (and q1).
  q1: same('smoothFeatured', 'q1_', { featured: 'features_or_disk', artifact: 'star_or_artifact' }),
  q2: same('edgeOn', 'q2_edge_on_'),
  q3: { concept: 'bar', answers: { q3_bar_yes: ['strong', 'weak'], q3_bar_no: ['no'] } },
  q4: same('spiral', 'q4_spiral_'),
  q5: {
    concept: 'bulge',
    answers: { q5_bulge_none: ['none'], q5_bulge_noticeable: ['small'], q5_bulge_obvious: ['moderate', 'large'], q5_bulge_dominant: ['dominant'] },
  },
  q6: same('odd', 'q6_odd_'),
  q7: same('roundness', 'q7_round_', { round: 'completely', 'in-between': 'in_between' }),
  q8: same('oddFeature', 'q8_odd_', { 'lens-or-arc': 'lens_or_arc', 'dust-lane': 'dust_lane' }),
  q9: same('edgeOnBulge', 'q9_bulge_'),
  q10: same('winding', 'q10_arms_'),
  q11: same('armCount', 'q11_arms_', { 'more-than-4': 'more_than_4', 'cant-tell': 'cant_tell' }),
  // Galaxy Zoo DECaLS DR5.
  'smooth-or-featured': same('smoothFeatured', 'smooth-or-featured_', { featured: 'featured-or-disk' }),
  'disk-edge-on': same('edgeOn', 'disk-edge-on_'),
  'has-spiral-arms': same('spiral', 'has-spiral-arms_'),
  bar: same('bar', 'bar_'),
  'bulge-size': same('bulge', 'bulge-size_'),
  'how-rounded': same('roundness', 'how-rounded_', { cigar: 'cigar-shaped' }),
  'edge-on-bulge': same('edgeOnBulge', 'edge-on-bulge_'),
  'spiral-winding': same('winding', 'spiral-winding_'),
  'spiral-arm-count': same('armCount', 'spiral-arm-count_'),
  merging: same('merging', 'merging_'),
};

/** Throws unless the simulator can answer every question of the schema. */
export function checkSimulatable(schema: Schema): void {
  for (const q of schema.questions) {
    const mapping = QUESTION_CONCEPTS[q.key];
    const fix = 'simulate with one of the built-in schemas gz2, decals-dr5 or q1';
    if (mapping === undefined) {
      throw new InputError(`the simulator has no volunteer model for question "${q.key}" of schema "${schema.name}"`, {}, fix);
    }
    const keys = q.answers.map((a) => a.key);
    const mapped = Object.keys(mapping.answers);
    if (keys.length !== mapped.length || keys.some((k) => !mapped.includes(k))) {
      throw new InputError(
        `question "${q.key}" of schema "${schema.name}" has answers ${keys.join(', ')}; the simulator models ${mapped.join(', ')}`,
        {},
        fix,
      );
    }
  }
}

/** True per-question answer probabilities (flat, in schema answer order; every question sums to 1). */
export function schemaProbabilities(schema: Schema, concepts: ConceptProbabilities): Float32Array {
  const out = new Float32Array(schema.numAnswers);
  for (const q of schema.questions) {
    const mapping = QUESTION_CONCEPTS[q.key];
    if (mapping === undefined) throw new InputError(`the simulator has no volunteer model for question "${q.key}"`, {}, 'call checkSimulatable(schema) first');
    const names = CONCEPT_ANSWERS[mapping.concept] as readonly string[];
    const p = concepts[mapping.concept];
    for (const a of q.answers) {
      let total = 0;
      for (const name of mapping.answers[a.key]) total += p[names.indexOf(name)];
      out[a.index] = total;
    }
  }
  return out;
}
