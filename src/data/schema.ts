/**
 * A Galaxy Zoo decision tree as data: questions, their answers, and the one earlier answer (if any) that leads
 * to each question. Answers of a question are contiguous in the flat answer list, so a model's output vector of
 * length `numAnswers` splits into per-question groups with `questionSlices`.
 *
 * Vote conventions used across galmorph:
 * - counts: k_a, the number of volunteers who chose answer a (N_q = Σ_a k_a per question, 0 if never asked);
 * - per-question fractions: k_a / N_q, summing to 1 over a question that was asked (all 0 if not asked);
 * - Kaggle-weighted fractions (GZ2 challenge): per-question fractions multiplied by the probability the question
 *   was reached, i.e. a child question's answers sum to its parent answer's weighted value.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../util/errors.js';

export interface AnswerDef {
  /** Unique (across the schema) readable key, e.g. `q1_smooth` or `smooth-or-featured_smooth`. */
  key: string;
  /** The text volunteers saw. */
  text: string;
  /** Catalog column holding this answer's votes. @default key */
  column?: string;
  /** Further column names accepted when reading a catalog (e.g. another release's naming). @default [] */
  aliases?: string[];
}

export interface QuestionDef {
  /** Unique readable key, e.g. `q2` or `disk-edge-on`. */
  key: string;
  /** The question volunteers saw. */
  text: string;
  /** At least two answers. */
  answers: AnswerDef[];
  /** The answer of an earlier question that leads to this one; omitted for questions asked of everyone. */
  parent?: { question: string; answer: string };
}

export interface SchemaDef {
  name: string;
  description?: string;
  questions: QuestionDef[];
  /** Class names a 'class' catalog may use (codes are indices into it); omitted: any class is accepted. */
  classes?: string[];
}

export interface Answer {
  key: string;
  text: string;
  column: string;
  aliases: string[];
  /** Position in the flat answer list. */
  index: number;
  /** Position of the owning question. */
  questionIndex: number;
}

/** The column names a catalog may give an answer's votes under: its column, its key, then its aliases. */
export function answerColumnNames(a: Pick<Answer, 'column' | 'key' | 'aliases'>): string[] {
  return [...new Set([a.column, a.key, ...a.aliases])];
}

export interface Question {
  key: string;
  text: string;
  /** Position in the question list. */
  index: number;
  answers: Answer[];
  /** Flat answer range [start, end) of this question. */
  start: number;
  end: number;
  /** The answer leading here (flat answer index and its question index), or null for a root question. */
  parent: { questionIndex: number; answerIndex: number } | null;
}

export interface Schema {
  name: string;
  description: string;
  questions: Question[];
  /** Flat answer list, contiguous per question, in question order. */
  answers: Answer[];
  numAnswers: number;
  numQuestions: number;
  /** Class names a 'class' catalog may use (empty: any). */
  classes: string[];
  /** Per question, its flat answer range [start, end). */
  questionSlices: Array<[start: number, end: number]>;
  /** Flat index of an answer key; throws an error listing the known keys if absent. */
  answerIndex(key: string): number;
  /** Question by key; throws an error listing the known keys if absent. */
  question(key: string): Question;
  /** The validated definition (for saving with models and outputs). */
  def: SchemaDef;
}

const SEPARATORS = '_.-:';

/**
 * Build a schema from its definition, validating it. `source` (a file name) is put into error messages;
 * messages name the JSON path of the offending field, e.g. `questions[3].parent.answer`.
 */
export function createSchema(def: SchemaDef, source?: string): Schema {
  const fail = (path: string, problem: string, hint: string): never => {
    throw new InputError(`schema ${path}: ${problem}`, source !== undefined ? { file: source } : {}, hint);
  };
  if (typeof def !== 'object' || def === null || Array.isArray(def)) {
    fail('(top level)', `expected an object with "name" and "questions", got ${typeof def}`, 'see the built-in schemas in src/data/schemas/ for the format');
  }
  checkKnownFields(def as unknown as Record<string, unknown>, ['name', 'description', 'questions', 'classes'], '', fail);
  if (def.classes !== undefined && (!Array.isArray(def.classes) || def.classes.some((c) => typeof c !== 'string' || c.trim() === '') || new Set(def.classes).size !== def.classes.length)) {
    fail('classes', 'must be an array of distinct non-empty strings', 'list the class names, or omit it to accept any class');
  }
  if (typeof def.name !== 'string' || def.name.trim() === '') fail('name', 'must be a non-empty string', 'give the schema a name');
  if (def.description !== undefined && typeof def.description !== 'string') fail('description', 'must be a string', 'remove it or make it text');
  if (!Array.isArray(def.questions) || def.questions.length === 0) {
    fail('questions', 'must be a non-empty array', 'list at least one question');
  }

  const questions: Question[] = [];
  const answers: Answer[] = [];
  const questionByKey = new Map<string, Question>();
  const answerByKey = new Map<string, Answer>();
  const columnOwner = new Map<string, string>();

  def.questions.forEach((qd, qi) => {
    const qp = `questions[${qi}]`;
    if (typeof qd !== 'object' || qd === null || Array.isArray(qd)) fail(qp, 'must be an object', 'give key, text and answers');
    checkKnownFields(qd as unknown as Record<string, unknown>, ['key', 'text', 'answers', 'parent'], `${qp}.`, fail);
    if (typeof qd.key !== 'string' || qd.key.trim() === '') fail(`${qp}.key`, 'must be a non-empty string', 'name the question');
    if (questionByKey.has(qd.key)) fail(`${qp}.key`, `duplicate question key "${qd.key}"`, 'question keys must be unique');
    if (typeof qd.text !== 'string') fail(`${qp}.text`, 'must be a string', 'give the question text');
    if (!Array.isArray(qd.answers) || qd.answers.length < 2) {
      fail(`${qp}.answers`, `question "${qd.key}" needs at least 2 answers, got ${Array.isArray(qd.answers) ? qd.answers.length : 'none'}`, 'a question with one answer carries no information');
    }
    let parent: Question['parent'] = null;
    if (qd.parent !== undefined) {
      const pp = `${qp}.parent`;
      if (typeof qd.parent !== 'object' || qd.parent === null) fail(pp, 'must be an object {question, answer}', 'or omit it for a root question');
      checkKnownFields(qd.parent as unknown as Record<string, unknown>, ['question', 'answer'], `${pp}.`, fail);
      const parentQuestion = questionByKey.get(qd.parent.question);
      if (parentQuestion === undefined) {
        const later = def.questions.slice(qi).some((q) => q?.key === qd.parent?.question);
        fail(`${pp}.question`, later ? `"${qd.parent.question}" is this question or a later one` : `unknown question "${qd.parent.question}"`,
          later ? 'a parent question must come earlier in the list' : `use one of the earlier questions: ${[...questionByKey.keys()].join(', ') || '(none)'}`);
      }
      const pq = parentQuestion as Question;
      const pa = pq.answers.find((a) => a.key === qd.parent?.answer);
      if (pa === undefined) {
        fail(`${pp}.answer`, `question "${pq.key}" has no answer "${qd.parent.answer}"`, `use one of ${pq.answers.map((a) => a.key).join(', ')}`);
      }
      parent = { questionIndex: pq.index, answerIndex: (pa as Answer).index };
    }
    const start = answers.length;
    const question: Question = { key: qd.key, text: qd.text, index: qi, answers: [], start, end: start + qd.answers.length, parent };
    qd.answers.forEach((ad, ai) => {
      const ap = `${qp}.answers[${ai}]`;
      if (typeof ad !== 'object' || ad === null || Array.isArray(ad)) fail(ap, 'must be an object', 'give key and text');
      checkKnownFields(ad as unknown as Record<string, unknown>, ['key', 'text', 'column', 'aliases'], `${ap}.`, fail);
      if (typeof ad.key !== 'string' || ad.key.trim() === '') fail(`${ap}.key`, 'must be a non-empty string', 'name the answer');
      if (answerByKey.has(ad.key)) fail(`${ap}.key`, `duplicate answer key "${ad.key}"`, 'answer keys must be unique across the whole schema (prefix them with the question, e.g. "bar_yes")');
      if (typeof ad.text !== 'string') fail(`${ap}.text`, 'must be a string', 'give the answer text');
      if (ad.column !== undefined && (typeof ad.column !== 'string' || ad.column.trim() === '')) fail(`${ap}.column`, 'must be a non-empty string', 'or omit it to use the key');
      const aliases = ad.aliases ?? [];
      if (!Array.isArray(aliases) || aliases.some((x) => typeof x !== 'string' || x.trim() === '')) {
        fail(`${ap}.aliases`, 'must be an array of non-empty strings', 'or omit it');
      }
      const column = ad.column ?? ad.key;
      for (const name of new Set([column, ad.key, ...aliases])) {
        const owner = columnOwner.get(name);
        if (owner !== undefined && owner !== ad.key) {
          fail(`${ap}`, `column name "${name}" is already used by answer "${owner}"`, 'each column name, key and alias must identify one answer');
        }
        columnOwner.set(name, ad.key);
      }
      const answer: Answer = { key: ad.key, text: ad.text, column, aliases: [...aliases], index: start + ai, questionIndex: qi };
      answerByKey.set(ad.key, answer);
      answers.push(answer);
      question.answers.push(answer);
    });
    questions.push(question);
    questionByKey.set(question.key, question);
  });

  const name = def.name;
  return {
    name,
    description: def.description ?? '',
    questions,
    answers,
    numAnswers: answers.length,
    numQuestions: questions.length,
    classes: [...(def.classes ?? [])],
    questionSlices: questions.map((q) => [q.start, q.end] as [number, number]),
    answerIndex(key: string): number {
      const a = answerByKey.get(key);
      if (a === undefined) throw new InputError(`schema "${name}" has no answer "${key}"`, {}, `known answers: ${[...answerByKey.keys()].join(', ')}`);
      return a.index;
    },
    question(key: string): Question {
      const q = questionByKey.get(key);
      if (q === undefined) throw new InputError(`schema "${name}" has no question "${key}"`, {}, `known questions: ${[...questionByKey.keys()].join(', ')}`);
      return q;
    },
    def: structuredClone(def),
  };
}

function checkKnownFields(
  obj: Record<string, unknown>,
  allowed: string[],
  prefix: string,
  fail: (path: string, problem: string, hint: string) => never,
): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) fail(`${prefix}${k}`, 'unknown field', `allowed fields here: ${allowed.join(', ')}`);
  }
}

/**
 * The column-name prefixes shared by each question's answers (e.g. `Class1.` or `disk-edge-on_`), used to
 * recognise catalog columns that look like answers of a question but are not declared. Empty string when the
 * answers share no prefix ending in a separator (`_ . - :`).
 */
export function questionColumnPrefixes(question: Question): string[] {
  const names = [question.answers.map((a) => a.column), question.answers.map((a) => a.key)];
  const out = new Set<string>();
  for (const list of names) {
    let prefix = list[0];
    for (const s of list) while (!s.startsWith(prefix)) prefix = prefix.slice(0, -1);
    let cut = prefix.length;
    while (cut > 0 && !SEPARATORS.includes(prefix[cut - 1])) cut--;
    if (cut >= 2) out.add(prefix.slice(0, cut));
  }
  return [...out];
}

function checkLength(values: ArrayLike<number>, schema: Schema, what: string): void {
  if (values.length !== schema.numAnswers) {
    throw new InputError(`${what}: expected ${schema.numAnswers} values (one per answer of schema "${schema.name}"), got ${values.length}`);
  }
}

/** Split a flat per-answer vector into per-question groups. */
export function splitByQuestion(values: ArrayLike<number>, schema: Schema): number[][] {
  checkLength(values, schema, 'splitByQuestion');
  return schema.questionSlices.map(([s, e]) => Array.from({ length: e - s }, (_, i) => values[s + i]));
}

/** Split a [batch, numAnswers] tensor into per-question [batch, answersOfQuestion] tensors (caller disposes). */
export function splitTensorByQuestion(values: tf.Tensor2D, schema: Schema): tf.Tensor2D[] {
  if (values.rank !== 2 || values.shape[1] !== schema.numAnswers) {
    throw new InputError(`splitTensorByQuestion: expected shape [batch, ${schema.numAnswers}] for schema "${schema.name}", got [${values.shape.join(', ')}]`);
  }
  return tf.split(values, schema.questions.map((q) => q.end - q.start), 1) as tf.Tensor2D[];
}

/** Per question, k_a / N_q; a question with N_q = 0 (never asked) gets all zeros. */
export function countsToFractions(counts: ArrayLike<number>, schema: Schema): Float32Array {
  checkLength(counts, schema, 'countsToFractions');
  const out = new Float32Array(schema.numAnswers);
  for (const [s, e] of schema.questionSlices) {
    let n = 0;
    for (let a = s; a < e; a++) n += counts[a];
    if (n > 0) for (let a = s; a < e; a++) out[a] = counts[a] / n;
  }
  return out;
}

/**
 * Expected counts from per-question fractions for a nominal number of volunteers who started the tree:
 * k_a = f_a · nominalN · P(question asked), with P from `probabilityAsked`. Root questions get nominalN votes,
 * a child question fewer, an unreachable question none (so a count likelihood ignores it). Not integers.
 */
export function fractionsToCounts(fractions: ArrayLike<number>, schema: Schema, nominalN: number): Float32Array {
  checkLength(fractions, schema, 'fractionsToCounts');
  if (!(nominalN > 0) || !Number.isFinite(nominalN)) throw new InputError(`fractionsToCounts: nominalN must be a positive number, got ${nominalN}`);
  const asked = probabilityAsked(fractions, schema);
  const out = new Float32Array(schema.numAnswers);
  for (const q of schema.questions) for (let a = q.start; a < q.end; a++) out[a] = fractions[a] * nominalN * asked[q.index];
  return out;
}

/**
 * Kaggle GZ2 weighted fractions → per-question fractions: each child question is divided by its parent
 * answer's weighted value (which is how the Kaggle file was built). A parent value ≤ `minParent` means the
 * question was (almost) never reached: its fractions become 0.
 */
export function kaggleWeightedToQuestionFractions(weighted: ArrayLike<number>, schema: Schema, minParent = 1e-6): Float32Array {
  checkLength(weighted, schema, 'kaggleWeightedToQuestionFractions');
  const out = new Float32Array(schema.numAnswers);
  for (const q of schema.questions) {
    const denom = q.parent === null ? 1 : weighted[q.parent.answerIndex];
    if (denom <= minParent) continue;
    for (let a = q.start; a < q.end; a++) out[a] = weighted[a] / denom;
  }
  return out;
}

/** Per-question fractions → Kaggle weighted fractions (each question scaled by the probability it was asked). */
export function questionFractionsToKaggleWeighted(fractions: ArrayLike<number>, schema: Schema): Float32Array {
  checkLength(fractions, schema, 'questionFractionsToKaggleWeighted');
  const asked = probabilityAsked(fractions, schema);
  const out = new Float32Array(schema.numAnswers);
  for (const q of schema.questions) for (let a = q.start; a < q.end; a++) out[a] = fractions[a] * asked[q.index];
  return out;
}

/**
 * Probability each question is asked, from per-question fractions: the product of the parent answers'
 * fractions up the tree (1 for a root question). Returns one value per question.
 */
export function probabilityAsked(fractions: ArrayLike<number>, schema: Schema): number[] {
  checkLength(fractions, schema, 'probabilityAsked');
  const out: number[] = [];
  for (const q of schema.questions) {
    // Parents come earlier, so their probability is already known.
    out.push(q.parent === null ? 1 : out[q.parent.questionIndex] * fractions[q.parent.answerIndex]);
  }
  return out;
}

/** `probabilityAsked` for a batch: [batch, numAnswers] per-question fractions → [batch, numQuestions]. */
export function probabilityAskedTensor(fractions: tf.Tensor2D, schema: Schema): tf.Tensor2D {
  if (fractions.rank !== 2 || fractions.shape[1] !== schema.numAnswers) {
    throw new InputError(`probabilityAskedTensor: expected shape [batch, ${schema.numAnswers}] for schema "${schema.name}", got [${fractions.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const cols: tf.Tensor2D[] = [];
    for (const q of schema.questions) {
      if (q.parent === null) cols.push(tf.onesLike(fractions.slice([0, 0], [-1, 1])));
      else cols.push(tf.mul(cols[q.parent.questionIndex], fractions.slice([0, q.parent.answerIndex], [-1, 1])));
    }
    return tf.concat(cols, 1);
  });
}

/** Volunteers per galaxy assumed where a catalog gives vote fractions without counts (Galaxy Zoo 2's typical N ≈ 40). */
export const NOMINAL_VOLUNTEERS = 40;
