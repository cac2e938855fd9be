/**
 * Galaxy Zoo DECaLS DR5 (Walmsley et al. 2022): 10 questions, 34 answers, columns named
 * `<question>_<answer>` as in the GZ DECaLS catalogues and zoobot / galaxy-datasets label metadata.
 */
import type { SchemaDef } from '../schema.js';

function answers(question: string, list: Array<[suffix: string, text: string]>) {
  return list.map(([suffix, text]) => ({ key: `${question}_${suffix}`, text }));
}

export const DECALS_DR5: SchemaDef = {
  name: 'decals-dr5',
  description: 'Galaxy Zoo DECaLS DR5 decision tree (vote-count columns <question>_<answer>)',
  questions: [
    {
      key: 'smooth-or-featured',
      text: 'Is the galaxy simply smooth and rounded, with no sign of a disk?',
      answers: answers('smooth-or-featured', [['smooth', 'Smooth'], ['featured-or-disk', 'Featured or disk'], ['artifact', 'Star or artifact']]),
    },
    {
      key: 'disk-edge-on',
      text: 'Could this be a disk viewed edge-on?',
      answers: answers('disk-edge-on', [['yes', 'Yes'], ['no', 'No']]),
      parent: { question: 'smooth-or-featured', answer: 'smooth-or-featured_featured-or-disk' },
    },
    {
      key: 'has-spiral-arms',
      text: 'Are there any signs of spiral arms?',
      answers: answers('has-spiral-arms', [['yes', 'Yes'], ['no', 'No']]),
      parent: { question: 'disk-edge-on', answer: 'disk-edge-on_no' },
    },
    {
      key: 'bar',
      text: 'Is there a bar?',
      answers: answers('bar', [['strong', 'Strong bar'], ['weak', 'Weak bar'], ['no', 'No bar']]),
      parent: { question: 'disk-edge-on', answer: 'disk-edge-on_no' },
    },
    {
      key: 'bulge-size',
      text: 'How prominent is the central bulge, compared with the rest of the galaxy?',
      answers: answers('bulge-size', [['dominant', 'Dominant'], ['large', 'Large'], ['moderate', 'Moderate'], ['small', 'Small'], ['none', 'None']]),
      parent: { question: 'disk-edge-on', answer: 'disk-edge-on_no' },
    },
    {
      key: 'how-rounded',
      text: 'How rounded is it?',
      answers: answers('how-rounded', [['round', 'Round'], ['in-between', 'In between'], ['cigar-shaped', 'Cigar-shaped']]),
      parent: { question: 'smooth-or-featured', answer: 'smooth-or-featured_smooth' },
    },
    {
      key: 'edge-on-bulge',
      text: 'Does the galaxy have a bulge at its centre? If so, what shape?',
      answers: answers('edge-on-bulge', [['boxy', 'Boxy'], ['none', 'No bulge'], ['rounded', 'Rounded']]),
      parent: { question: 'disk-edge-on', answer: 'disk-edge-on_yes' },
    },
    {
      key: 'spiral-winding',
      text: 'How tightly wound do the spiral arms appear?',
      answers: answers('spiral-winding', [['tight', 'Tight'], ['medium', 'Medium'], ['loose', 'Loose']]),
      parent: { question: 'has-spiral-arms', answer: 'has-spiral-arms_yes' },
    },
    {
      key: 'spiral-arm-count',
      text: 'How many spiral arms are there?',
      answers: answers('spiral-arm-count', [['1', '1'], ['2', '2'], ['3', '3'], ['4', '4'], ['more-than-4', 'More than four'], ['cant-tell', "Can't tell"]]),
      parent: { question: 'has-spiral-arms', answer: 'has-spiral-arms_yes' },
    },
    {
      key: 'merging',
      text: 'Is the galaxy currently merging, or is there any sign of tidal debris?',
      answers: answers('merging', [['none', 'None'], ['minor-disturbance', 'Minor disturbance'], ['major-disturbance', 'Major disturbance'], ['merger', 'Merging']]),
    },
  ],
};
