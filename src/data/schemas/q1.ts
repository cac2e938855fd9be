/**
 * The first Galaxy Zoo question alone (smooth / featured / star-artifact), as used by the ET-VAE paper.
 * Column names match the gz2 schema's readable keys; the Kaggle (`Class1.x`) and DECaLS
 * (`smooth-or-featured_…`) names are accepted as aliases, so Q1 can be read from either catalogue.
 */
import type { SchemaDef } from '../schema.js';

export const Q1: SchemaDef = {
  name: 'q1',
  description: 'Galaxy Zoo question 1 only: smooth, featured or disk, star or artifact',
  questions: [
    {
      key: 'q1',
      text: 'Is the galaxy simply smooth and rounded, with no sign of a disk?',
      answers: [
        { key: 'q1_smooth', text: 'Smooth', aliases: ['Class1.1', 'smooth-or-featured_smooth'] },
        { key: 'q1_features_or_disk', text: 'Features or disk', aliases: ['Class1.2', 'smooth-or-featured_featured-or-disk'] },
        { key: 'q1_star_or_artifact', text: 'Star or artifact', aliases: ['Class1.3', 'smooth-or-featured_artifact'] },
      ],
    },
  ],
};
