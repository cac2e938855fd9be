#!/usr/bin/env node
// Ships a trained model with the package: scripts/shipModel.mjs RUN NAME ["exact command"]
// Copies RUN/model's weights (no optimiser state) to pretrained/NAME/, the held-out test ids (RUN/split.csv), the
// learning curve and worst-prediction grid, and writes MODEL_CARD.md from RUN's config.json, results.json and
// history.json — every figure in the card is read from the run, none typed by hand. Run `npm run build` first.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [run, name, command] = process.argv.slice(2);
if (!run || !name) {
  console.error('usage: scripts/shipModel.mjs RUN NAME ["exact command"]');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { initBackend } = await import(join(root, 'dist/backend/initBackend.js'));
const { loadBayesianCnn, saveBayesianCnn } = await import(join(root, 'dist/models/bayesianCnnCheckpoint.js'));
await initBackend({ backend: 'cpu', nativeKernels: false });
const out = join(root, 'pretrained', name);
mkdirSync(out, { recursive: true });
const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
const results = JSON.parse(readFileSync(join(run, 'results.json'), 'utf8'));
const history = JSON.parse(readFileSync(join(run, 'history.json'), 'utf8'));
const loaded = loadBayesianCnn(join(run, 'model'));
saveBayesianCnn(out, loaded.model, {
  preprocessing: loaded.preprocessing, step: loaded.meta.step, optimizer: null,
  extra: { name, epoch: results.bestEpoch, data: loaded.meta.extra?.data ?? config.data, card: 'MODEL_CARD.md' },
});
loaded.model.dispose();
const split = readFileSync(join(run, 'split.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const testIds = split.filter(([, s]) => s === 'test').map(([id]) => id);
writeFileSync(join(out, 'test_ids.txt'), testIds.join('\n') + '\n');
for (const f of ['learning_curve.png', 'worst_test.png']) if (existsSync(join(run, f))) copyFileSync(join(run, f), join(out, f));

const f4 = (v) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(4));
const pct = (v) => (v === null || v === undefined ? '–' : `${(100 * v).toFixed(0)}%`);
const q = results.test.perQuestion;
const q1 = q.find((r) => r.question === 'q1') ?? q[0];
const best = history.find((h) => h.epoch === results.bestEpoch);
const trainSeconds = history.reduce((s, h) => s + h.seconds, 0);
const colour = config.colour === 'rgb' ? 'three colour channels (the JPEG\'s RGB)' : 'grey (mean of the RGB bands)';
const named = Object.entries(config.lossWeights ?? {});
const weights = named.length === 0 ? 'every question weighing 1' : `weighted ${named.map(([k, w]) => `${k} × ${w}`).join(', ')} (the others × 1)`;
const card = `# galmorph pretrained model \`${name}\`

A Bayesian CNN (MC dropout) with a Dirichlet-multinomial head over every question of the \`${config.schema}\` decision
tree, trained by \`galmorph train\` on Galaxy Zoo 2 vote fractions. Load it by name: \`galmorph predict --model ${name}
--catalog DIR --out DIR\` (Node), or fetch \`model.json\` + \`weights.bin\` (the galmorph checkpoint format: a JSON
index and float32 little-endian weights, SHA-256 in model.json) into a browser.

## Data and split
- Training data: \`${config.data}\` (${results.labels}).
- Split by a hash of each galaxy id: ${results.galaxies.train} train, ${results.galaxies.val} validation (checkpoint
  choice), ${results.galaxies.test} test galaxies the model never saw; their ids are in \`test_ids.txt\`, so anyone can
  score other models on exactly these galaxies.
- Preprocessing (saved in model.json and applied by \`predict\`): central crop ${config.crop} of the side, ${config.imageSize}×${config.imageSize} px, ${colour},
  values in [0, 1]; training augmentation ${config.augment ? 'random flips and any-angle rotations' : 'none'}.

## Exact command
\`\`\`
${command ?? `galmorph train ${JSON.stringify(config)}`}
\`\`\`
Seed ${config.seed}, backend ${config.backend}, ${config.workers} worker(s): the same command on the same backend gives the same
weights. Training wall time ${(trainSeconds / 60).toFixed(1)} min (${results.epochs} epochs, ${results.step} optimiser steps); the best
validation loss ${f4(best?.valLoss)} was at epoch ${results.bestEpoch}, whose weights these are.

## Architecture
Convolution blocks ${JSON.stringify(config.blocks)} (3×3, ReLU, 2×2 max-pool after each block), ${config.pooling} pooling,
dense ${config.denseUnits} + ReLU, MC dropout ${config.dropout} (on at prediction), head bias ${config.headBias}
(α = ${config.concentrationFloor ?? 1} + 100·sigmoid). Loss: the Dirichlet-multinomial NLL summed over questions, ${weights}. Adam ${config.learningRate},
${config.lrSchedule} schedule, batch ${config.batchSize}.

## Test metrics (${results.test.galaxies} held-out galaxies, ${results.test.passes} MC-dropout passes${config.tta ? ' over the 8 rotations/mirrors (`--tta`)' : ''})
Per question, over the galaxies whose question got votes, beside predicting the training mean for every galaxy; the
last two columns count only galaxies whose question was asked of at least half their volunteers (Walmsley et al.
2022's convention: a question one or two volunteers reached has fractions that are mostly vote noise):

| question | galaxies | sum-abs | RMSE | mean: sum-abs | mean: RMSE | RMSE gain | asked by ≥ 50%: galaxies | asked by ≥ 50%: RMSE gain |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${q.filter((r) => r.galaxies > 0).map((r) => `| ${r.question} | ${r.galaxies} | ${f4(r.sum_abs)} | ${f4(r.rmse)} | ${f4(r.baseline_sum_abs)} | ${f4(r.baseline_rmse)} | ${pct(r.rmse_gain)} | ${r.galaxies_asked_by_most ?? '–'} | ${pct(r.rmse_gain_asked_by_most)} |`).join('\n')}

Headline: **Q1 sum-abs ${f4(q1.sum_abs)}, RMSE ${f4(q1.rmse)}** (predict-the-mean ${f4(q1.baseline_sum_abs)} / ${f4(q1.baseline_rmse)}).

## Calibration
Coverage error within ±0.2 vote fraction (|observed − predicted| / predicted share of galaxies whose count lies within
±0.2·N of the expected count; the reference reports 11.8% for bars):

| answer | galaxies | coverage error |
|---|---:|---:|
${results.test.coverage.filter((c) => c.galaxies > 0).map((c) => `| ${c.answer} | ${c.galaxies} | ${pct(c.coverageError)} |`).join('\n')}

## Learning curve
![learning curve](learning_curve.png)

## Known limits
- Trained on ${results.galaxies.train} SDSS galaxies only; the labels are Kaggle-weighted vote *fractions* turned into
  expected counts with a nominal ${config.nominalN} volunteers, so the predicted uncertainties assume N = ${config.nominalN}.
- ${config.imageSize} px ${config.colour === 'rgb' ? 'colour' : 'grey'} images of the central ${config.crop} of a 424 px cutout: ${config.colour === 'rgb' ? '' : 'colour and '}fine structure (bars, arm
  winding) are mostly lost; questions deep in the tree (few asked galaxies) are the weakest (table above).
- The worst-predicted test galaxies (id, volunteers' Q1 percentages v, predicted p): ![worst](worst_test.png)
`;
writeFileSync(join(out, 'MODEL_CARD.md'), card);
console.log(`shipped ${name}: ${out} (Q1 sum-abs ${f4(q1.sum_abs)}, RMSE ${f4(q1.rmse)})`);
