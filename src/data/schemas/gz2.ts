/**
 * Galaxy Zoo 2 as in the Kaggle "Galaxy Challenge": 11 questions, 37 answers. Columns are the Kaggle names
 * (Class1.1 … Class11.6); keys are readable (`q1_smooth`, …) and are also the column names of the
 * gz2-kaggle-votes development folder, so both namings load without configuration.
 * Tree: Willett et al. 2013 (MNRAS 435, 2835), Fig. 1, and the Kaggle challenge's decision-tree page.
 */
import type { SchemaDef } from '../schema.js';

function answers(qn: number, list: Array<[key: string, text: string]>) {
  return list.map(([key, text], i) => ({ key, text, column: `Class${qn}.${i + 1}` }));
}

export const GZ2: SchemaDef = {
  name: 'gz2',
  description: 'Galaxy Zoo 2 decision tree, Kaggle Galaxy Challenge columns (Class1.1 … Class11.6)',
  questions: [
    {
      key: 'q1',
      text: 'Is the galaxy simply smooth and rounded, with no sign of a disk?',
      answers: answers(1, [['q1_smooth', 'Smooth'], ['q1_features_or_disk', 'Features or disk'], ['q1_star_or_artifact', 'Star or artifact']]),
    },
    {
      key: 'q2',
      text: 'Could this be a disk viewed edge-on?',
      answers: answers(2, [['q2_edge_on_yes', 'Yes'], ['q2_edge_on_no', 'No']]),
      parent: { question: 'q1', answer: 'q1_features_or_disk' },
    },
    {
      key: 'q3',
      text: 'Is there a sign of a bar feature through the centre of the galaxy?',
      answers: answers(3, [['q3_bar_yes', 'Bar'], ['q3_bar_no', 'No bar']]),
      parent: { question: 'q2', answer: 'q2_edge_on_no' },
    },
    {
      key: 'q4',
      text: 'Is there any sign of a spiral arm pattern?',
      answers: answers(4, [['q4_spiral_yes', 'Spiral'], ['q4_spiral_no', 'No spiral']]),
      parent: { question: 'q2', answer: 'q2_edge_on_no' },
    },
    {
      key: 'q5',
      text: 'How prominent is the central bulge, compared with the rest of the galaxy?',
      answers: answers(5, [['q5_bulge_none', 'No bulge'], ['q5_bulge_noticeable', 'Just noticeable'], ['q5_bulge_obvious', 'Obvious'], ['q5_bulge_dominant', 'Dominant']]),
      // Reached from both answers of q4, so its weighted answers sum to q2 "no".
      parent: { question: 'q2', answer: 'q2_edge_on_no' },
    },
    {
      key: 'q6',
      text: 'Is there anything odd?',
      // Asked of every galaxy that was not a star; the Kaggle file normalises it to sum to 1.
      answers: answers(6, [['q6_odd_yes', 'Yes'], ['q6_odd_no', 'No']]),
    },
    {
      key: 'q7',
      text: 'How rounded is it?',
      answers: answers(7, [['q7_round_completely', 'Completely round'], ['q7_round_in_between', 'In between'], ['q7_round_cigar', 'Cigar-shaped']]),
      parent: { question: 'q1', answer: 'q1_smooth' },
    },
    {
      key: 'q8',
      text: 'Is the odd feature a ring, or is the galaxy disturbed or irregular?',
      answers: answers(8, [
        ['q8_odd_ring', 'Ring'], ['q8_odd_lens_or_arc', 'Lens or arc'], ['q8_odd_disturbed', 'Disturbed'], ['q8_odd_irregular', 'Irregular'],
        ['q8_odd_other', 'Other'], ['q8_odd_merger', 'Merger'], ['q8_odd_dust_lane', 'Dust lane'],
      ]),
      parent: { question: 'q6', answer: 'q6_odd_yes' },
    },
    {
      key: 'q9',
      text: 'Does the galaxy have a bulge at its centre? If so, what shape?',
      answers: answers(9, [['q9_bulge_rounded', 'Rounded'], ['q9_bulge_boxy', 'Boxy'], ['q9_bulge_none', 'No bulge']]),
      parent: { question: 'q2', answer: 'q2_edge_on_yes' },
    },
    {
      key: 'q10',
      text: 'How tightly wound do the spiral arms appear?',
      answers: answers(10, [['q10_arms_tight', 'Tight'], ['q10_arms_medium', 'Medium'], ['q10_arms_loose', 'Loose']]),
      parent: { question: 'q4', answer: 'q4_spiral_yes' },
    },
    {
      key: 'q11',
      text: 'How many spiral arms are there?',
      answers: answers(11, [
        ['q11_arms_1', '1'], ['q11_arms_2', '2'], ['q11_arms_3', '3'], ['q11_arms_4', '4'],
        ['q11_arms_more_than_4', 'More than four'], ['q11_arms_cant_tell', "Can't tell"],
      ]),
      parent: { question: 'q4', answer: 'q4_spiral_yes' },
    },
  ],
};
