import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  countsToFractions,
  createSchema,
  fractionsToCounts,
  kaggleWeightedToQuestionFractions,
  probabilityAsked,
  probabilityAskedTensor,
  questionFractionsToKaggleWeighted,
  splitByQuestion,
  splitTensorByQuestion,
  type SchemaDef,
} from '../../src/data/schema.js';
import { BUILTIN_SCHEMAS, getSchema } from '../../src/data/schemas/index.js';

/** A → (a1, a2); B asked after a2 → (b1, b2); C asked after b1 → (c1, c2, c3). */
const TINY: SchemaDef = {
  name: 'tiny',
  questions: [
    { key: 'A', text: 'A?', answers: [{ key: 'a1', text: '' }, { key: 'a2', text: '' }] },
    { key: 'B', text: 'B?', answers: [{ key: 'b1', text: '' }, { key: 'b2', text: '' }], parent: { question: 'A', answer: 'a2' } },
    { key: 'C', text: 'C?', answers: [{ key: 'c1', text: '' }, { key: 'c2', text: '' }, { key: 'c3', text: '' }], parent: { question: 'B', answer: 'b1' } },
  ],
};

describe('built-in schemas', () => {
  it('GZ2 has 11 questions, 37 answers with Kaggle columns in order and the published tree', () => {
    const s = getSchema('gz2');
    expect(s.numQuestions).toBe(11);
    expect(s.numAnswers).toBe(37);
    const perQuestion = [3, 2, 2, 2, 4, 2, 3, 7, 3, 3, 6];
    const expected = perQuestion.flatMap((n, q) => Array.from({ length: n }, (_, a) => `Class${q + 1}.${a + 1}`));
    expect(s.answers.map((a) => a.column)).toEqual(expected);
    const parentOf = (q: string) => {
      const p = s.question(q).parent;
      return p === null ? null : s.answers[p.answerIndex].key;
    };
    expect(parentOf('q1')).toBeNull();
    expect(parentOf('q2')).toBe('q1_features_or_disk');
    expect(parentOf('q3')).toBe('q2_edge_on_no');
    expect(parentOf('q4')).toBe('q2_edge_on_no');
    expect(parentOf('q5')).toBe('q2_edge_on_no');
    expect(parentOf('q6')).toBeNull();
    expect(parentOf('q7')).toBe('q1_smooth');
    expect(parentOf('q8')).toBe('q6_odd_yes');
    expect(parentOf('q9')).toBe('q2_edge_on_yes');
    expect(parentOf('q10')).toBe('q4_spiral_yes');
    expect(parentOf('q11')).toBe('q4_spiral_yes');
  });

  it('DECaLS DR5 has 10 questions and 34 answers named <question>_<answer>', () => {
    const s = getSchema('decals-dr5');
    expect(s.numQuestions).toBe(10);
    expect(s.numAnswers).toBe(34);
    for (const a of s.answers) expect(a.column.startsWith(`${s.questions[a.questionIndex].key}_`)).toBe(true);
    expect(s.answerIndex('smooth-or-featured_smooth')).toBe(0);
    expect(s.answers[s.question('edge-on-bulge').parent!.answerIndex].key).toBe('disk-edge-on_yes');
    expect(s.question('merging').parent).toBeNull();
  });

  it('q1 has one question with three answers', () => {
    const s = getSchema('q1');
    expect([s.numQuestions, s.numAnswers]).toEqual([1, 3]);
  });

  it('every built-in has contiguous question slices covering all answers', () => {
    for (const name of BUILTIN_SCHEMAS) {
      const s = getSchema(name);
      let next = 0;
      s.questions.forEach((q, i) => {
        expect(s.questionSlices[i]).toEqual([next, q.end]);
        expect(q.end - q.start).toBe(q.answers.length);
        for (const a of q.answers) expect(s.answers[a.index]).toBe(a);
        for (const a of q.answers) expect(a.questionIndex).toBe(i);
        next = q.end;
      });
      expect(next).toBe(s.numAnswers);
    }
  });
});

describe('vote conversions', () => {
  const s = createSchema(TINY);

  it('probabilityAsked multiplies the parent answers up the tree (hand-checked)', () => {
    const f = [0.3, 0.7, 0.4, 0.6, 0.5, 0.25, 0.25];
    const p = probabilityAsked(f, s);
    expect(p[0]).toBe(1);
    expect(p[1]).toBeCloseTo(0.7, 12);
    expect(p[2]).toBeCloseTo(0.28, 12);
  });

  it('probabilityAskedTensor matches the scalar version and leaks no tensors', () => {
    const rows = [[0.3, 0.7, 0.4, 0.6, 0.5, 0.25, 0.25], [1, 0, 0, 0, 0, 0, 0]];
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(rows);
    const p = probabilityAskedTensor(x, s);
    const got = p.arraySync();
    x.dispose();
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
    rows.forEach((r, i) => probabilityAsked(r, s).forEach((v, q) => expect(got[i][q]).toBeCloseTo(v, 6)));
  });

  it('splits flat vectors and tensors into per-question groups', () => {
    expect(splitByQuestion([1, 2, 3, 4, 5, 6, 7], s)).toEqual([[1, 2], [3, 4], [5, 6, 7]]);
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7]]);
    const parts = splitTensorByQuestion(x, s);
    expect(parts.map((t) => t.shape)).toEqual([[1, 2], [1, 2], [1, 3]]);
    expect(parts[2].arraySync()).toEqual([[5, 6, 7]]);
    tf.dispose([x, ...parts]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => splitByQuestion([1, 2], s)).toThrow(/expected 7 values .*schema "tiny".*got 2/);
  });

  it('countsToFractions divides by each question total and leaves unasked questions at 0', () => {
    const f = countsToFractions([3, 1, 0, 0, 0, 0, 0], s);
    expect(Array.from(f)).toEqual([0.75, 0.25, 0, 0, 0, 0, 0]);
  });

  it('fractionsToCounts scales each question by nominalN times the probability it was asked', () => {
    const c = fractionsToCounts([0.5, 0.5, 0.5, 0.5, 1, 0, 0], s, 40);
    expect(Array.from(c)).toEqual([20, 20, 10, 10, 10, 0, 0]);
  });

  it('Kaggle weighting round-trips and matches a hand computation on a real GZ2 row', () => {
    const f = [0.3, 0.7, 0.4, 0.6, 0.5, 0.25, 0.25];
    const w = questionFractionsToKaggleWeighted(f, s);
    expect(Array.from(w).map((v) => Number(v.toFixed(6)))).toEqual([0.3, 0.7, 0.28, 0.42, 0.14, 0.07, 0.07]);
    Array.from(kaggleWeightedToQuestionFractions(w, s)).forEach((v, i) => expect(v).toBeCloseTo(f[i], 6));
    const gz2 = getSchema('gz2');
    const row = new Float32Array(37);
    row.set([0.428308, 0.54778, 0.023912, 0.054817988, 0.492962012]);
    const q = kaggleWeightedToQuestionFractions(row, gz2);
    expect(q[3]).toBeCloseTo(0.054817988 / 0.54778, 6);
    expect(q[3] + q[4]).toBeCloseTo(1, 6);
    expect(q[gz2.answerIndex('q3_bar_yes')]).toBe(0); // parent value 0: question never reached
  });
});

describe('schema validation errors', () => {
  const bad = (mutate: (d: SchemaDef) => void): SchemaDef => {
    const d = structuredClone(TINY);
    mutate(d);
    return d;
  };

  it.each([
    ['duplicate answer key', (d: SchemaDef) => { d.questions[1].answers[0].key = 'a1'; }, /questions\[1\]\.answers\[0\]\.key: duplicate answer key "a1"/],
    ['duplicate question key', (d: SchemaDef) => { d.questions[2].key = 'A'; }, /questions\[2\]\.key: duplicate question key "A"/],
    ['unknown parent question', (d: SchemaDef) => { d.questions[1].parent = { question: 'Z', answer: 'a2' }; }, /questions\[1\]\.parent\.question: unknown question "Z"/],
    ['parent not earlier', (d: SchemaDef) => { d.questions[1].parent = { question: 'C', answer: 'c1' }; }, /questions\[1\]\.parent\.question: "C" is this question or a later one — a parent question must come earlier/],
    ['parent answer of another question', (d: SchemaDef) => { d.questions[2].parent = { question: 'B', answer: 'a1' }; }, /questions\[2\]\.parent\.answer: question "B" has no answer "a1" — use one of b1, b2/],
    ['one answer', (d: SchemaDef) => { d.questions[0].answers.pop(); }, /questions\[0\]\.answers: question "A" needs at least 2 answers, got 1/],
    ['misspelt field', (d: SchemaDef) => { (d.questions[1] as unknown as Record<string, unknown>).parnet = {}; }, /questions\[1\]\.parnet: unknown field/],
    ['empty name', (d: SchemaDef) => { d.name = ''; }, /schema name: must be a non-empty string/],
    ['column reused', (d: SchemaDef) => { d.questions[2].answers[0].column = 'b2'; }, /questions\[2\]\.answers\[0\]: column name "b2" is already used by answer "b2"/],
  ])('rejects %s', (_name, mutate, message) => {
    expect(() => createSchema(bad(mutate))).toThrow(message);
  });

  it('names the JSON file of a user schema, and loads a valid one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"name": "x", "questions": [');
    expect(() => getSchema(broken)).toThrow(new RegExp(`${broken.replace(/[.]/g, '\\.')}: not valid JSON`));
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify(bad((d) => { d.questions[2].parent = { question: 'B', answer: 'nope' }; })));
    expect(() => getSchema(wrong)).toThrow(/wrong\.json: schema questions\[2\]\.parent\.answer: question "B" has no answer "nope"/);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(TINY));
    expect(getSchema(good).numAnswers).toBe(7);
  });

  it('rejects an unknown schema name and unknown keys with the known ones listed', () => {
    expect(() => getSchema('gz3')).toThrow(/no built-in schema "gz3" and no such file — use one of gz2, decals-dr5, q1/);
    expect(() => getSchema('q1').answerIndex('smooth')).toThrow(/schema "q1" has no answer "smooth" — known answers: q1_smooth/);
    expect(() => getSchema('q1').question('q2')).toThrow(/no question "q2"/);
  });
});
