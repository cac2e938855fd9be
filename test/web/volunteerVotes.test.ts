/**
 * The Galaxy page's volunteer votes from a catalog row: found under every column name the catalog readers accept (the
 * real gz2-kaggle-votes folder names its columns by the readable keys, q1_smooth …, not Class1.1 …), blank cells are no vote.
 */
import { describe, expect, it } from 'vitest';
import { getSchema } from '../../src/data/schemas/index.js';
import { volunteerVotes } from '../../src/web/explorer.js';

const gz2 = getSchema('gz2');

describe('volunteerVotes', () => {
  it('reads Kaggle columns and readable keys alike, question by question', () => {
    const byKey = volunteerVotes(gz2, { galaxy_id: '121257', image_file: '121257.jpg', q1_smooth: 0.43, q1_features_or_disk: 0.55, q1_star_or_artifact: 0.02, q6_odd_yes: 0, q6_odd_no: 1 });
    expect(byKey).toEqual([
      { question: 'q1', text: gz2.questions[0].text, answers: [
        { key: 'q1_smooth', column: 'q1_smooth', value: 0.43 }, { key: 'q1_features_or_disk', column: 'q1_features_or_disk', value: 0.55 },
        { key: 'q1_star_or_artifact', column: 'q1_star_or_artifact', value: 0.02 }] },
      { question: 'q6', text: gz2.questions[5].text, answers: [{ key: 'q6_odd_yes', column: 'q6_odd_yes', value: 0 }, { key: 'q6_odd_no', column: 'q6_odd_no', value: 1 }] },
    ]);
    const byColumn = volunteerVotes(gz2, { GalaxyID: 'g', 'Class1.1': 0.2, 'Class1.2': 0.7, 'Class1.3': 0.1 });
    expect(byColumn?.map((q) => q.answers.map((a) => `${a.column}=${String(a.value)}`))).toEqual([['Class1.1=0.2', 'Class1.2=0.7', 'Class1.3=0.1']]);
  });

  it('is null for a galaxy whose vote cells are blank (a catalog mixing voted and unvoted galaxies), or without vote columns', () => {
    expect(volunteerVotes(gz2, { galaxy_id: '842242', image_file: '842242.jpg', q1_smooth: '', q1_features_or_disk: null, q1_star_or_artifact: '' })).toBeNull();
    expect(volunteerVotes(gz2, { id: 'x', image: 'x.png' })).toBeNull();
  });
});
