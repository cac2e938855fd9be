/**
 * Self-training on unlabelled images (`galmorph train --unlabelled DIR --teacher MODEL`): a trained model (the
 * teacher, e.g. the shipped `gz2`) predicts every unlabelled galaxy with MC-dropout passes over the 8 dihedral views,
 * and its expected votes for N pseudo-volunteers — fraction × N × P(asked), the same convention as a catalog of
 * fractions × nominal N — become that galaxy's labels in the training split only. The validation and test splits
 * keep the volunteers' labels alone, so the student is selected and scored exactly as without the extra galaxies.
 * N (`--teacher-votes`) weighs a teacher's guess against the volunteers': with the Dirichlet-multinomial likelihood,
 * N pseudo-votes carry about as much information as N real votes with the same fractions.
 *
 * The teacher must predict the student's schema with the Dirichlet head (the whole decision tree), and must not have
 * trained on the student's validation or test galaxies (a model trained on the same catalog with the same id-hash
 * split, such as the shipped `gz2` for ../shared/data/gz2-kaggle-votes, satisfies this). An unlabelled galaxy whose
 * id is also in the labelled catalog is left out and listed: it would otherwise leak into training twice, or from a
 * held-out split.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../../util/errors.js';
import { readCatalog, requireRows } from '../../data/catalogRead.js';
import { loadBayesianCnn } from '../../models/bayesianCnnCheckpoint.js';
import { resolveModelFolder } from '../../models/pretrained.js';
import { DIHEDRAL_VIEWS } from '../../nn/dihedralView.js';
import { predictPasses } from '../predict/predictPasses.js';
import { summarisePasses } from '../predict/predictSummary.js';
import type { BadImagePolicy } from '../../data/dataset.js';
import { catalogFileRow, type CatalogRow, type SkippedRow } from '../../data/catalog.js';
import type { Schema } from '../../data/schema.js';


export interface PseudoLabelOptions {
  /** Catalog of unlabelled images (any label columns are ignored). */
  unlabelled: string;
  /** Model folder or shipped model name. */
  teacher: string;
  /** Pseudo-volunteers per galaxy: the N of the expected votes. */
  votes: number;
  /** MC-dropout passes of the teacher (cycling over the 8 dihedral views). */
  passes: number;
  /** The student's schema: the teacher must predict it. */
  schema: Schema;
  /** Ids of the labelled catalog: unlabelled rows with these ids are left out. */
  labelledIds: ReadonlySet<string>;
  onBad: BadImagePolicy;
  allowAbsolutePaths: boolean;
  batchSize: number;
  seed: number;
  progress: boolean;
}

export interface PseudoLabels {
  rows: CatalogRow[];
  /** For the run log and summary. */
  note: string;
  /** Unlabelled rows left out (bad rows or images, ids also labelled), with the catalog they are in. */
  leftOut: (SkippedRow & { catalog: string })[];
}

export async function pseudoLabelledRows(o: PseudoLabelOptions): Promise<PseudoLabels> {
  if (!existsSync(o.unlabelled)) throw new InputError('catalog not found', { file: o.unlabelled }, 'pass a catalog of unlabelled images to --unlabelled');
  const folder = resolveModelFolder(o.teacher);
  const { model, preprocessing } = loadBayesianCnn(folder);
  try {
    if (model.config.head !== 'dirichlet' || model.schema.name !== o.schema.name) {
      throw new InputError(`the teacher ${folder} predicts ${model.schema.name} with the ${model.config.head} head; pseudo-labels need the ${o.schema.name} schema's whole decision tree`,
        {}, `pass a --teacher trained with --head dirichlet --schema ${o.schema.name}`);
    }
    const catalog = await readCatalog(o.unlabelled, { schema: o.schema, labelKind: 'none', onBad: o.onBad, allowAbsolutePaths: o.allowAbsolutePaths });
    const leftOut: PseudoLabels['leftOut'] = catalog.skipped.map((s) => ({ ...s, catalog: catalog.source }));
    const rows: CatalogRow[] = [];
    const rowNumber = new Map<string, number>();
    const skippedRows = catalog.skipped.map((s) => s.row).sort((a, b) => a - b);
    requireRows(catalog).forEach((r, k) => {
      rowNumber.set(r.id, catalogFileRow(k, skippedRows));
      if (o.labelledIds.has(r.id)) leftOut.push({ row: catalogFileRow(k, skippedRows), id: r.id, reason: 'also in the labelled catalog (not pseudo-labelled)', catalog: catalog.source });
      else rows.push(r);
    });
    const outputs = await predictPasses([{ model, preprocessing, source: folder }], rows, {
      passes: o.passes, views: DIHEDRAL_VIEWS, seed: o.seed, batchSize: o.batchSize, progress: o.progress, onBad: o.onBad,
    });
    for (const b of outputs.badImages) leftOut.push({ row: rowNumber.get(b.id) ?? 0, id: b.id, reason: b.reason, catalog: catalog.source });
    const summary = summarisePasses(model.head, model.schema, outputs.passes, o.votes);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const labelled = outputs.ids.map((id, b) => {
      const counts = Float32Array.from(summary.expectedVotes[b], (v) => (Number.isFinite(v) ? v : 0));
      return { id, image: (byId.get(id) as CatalogRow).image, counts };
    });
    const note = `${labelled.length} unlabelled galaxies from ${catalog.source} pseudo-labelled by ${folder} ` +
      `(${o.passes} passes over the 8 rotations/mirrors; expected votes of ${o.votes} pseudo-volunteers), training split only`;
    return { rows: labelled, note, leftOut };
  } finally {
    model.dispose();
  }
}
