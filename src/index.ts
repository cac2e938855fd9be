/**
 * galmorph's public TypeScript API: what `import … from 'galmorph'` gives. The CLI is a thin shell over the same
 * functions. Everything else under src/ is internal and may change between versions.
 */
export { PACKAGE_VERSION } from './util/packageInfo.js';
export { InputError, OptionError } from './util/errors.js';

// Compute backend (wasm by default, native oneDNN kernels when built, tfjs-node when installed).
export { initBackend, describeBackend, currentBackend } from './backend/initBackend.js';
export type { InitBackendOptions, BackendDescription } from './backend/initBackend.js';

// Catalogs, schemas and the simulator.
export { readCatalog } from './data/catalogRead.js';
export type { ReadCatalogOptions } from './data/catalogRead.js';
export type { Catalog, CatalogRow, SkippedRow, LabelKind } from './data/catalog.js';
export { getSchema, loadSchemaFile, BUILTIN_SCHEMAS } from './data/schemas/index.js';
export type { BuiltinSchemaName } from './data/schemas/index.js';
export { createSchema, NOMINAL_VOLUNTEERS } from './data/schema.js';
export type { Schema, SchemaDef, Question, Answer } from './data/schema.js';
export { simulate, SIMULATE_DEFAULTS } from './workflows/simulate/simulate.js';
export type { SimulateOptions, SimulateResult } from './workflows/simulate/simulate.js';
export { checkCatalog } from './workflows/check/checkCatalog.js';
export type { CheckCatalogOptions, CheckCatalogResult } from './workflows/check/checkCatalog.js';

// Models: train, save, load (by folder or shipped name), predict.
export { trainBayesianCnn, TRAIN_BAYESIAN_CNN_DEFAULTS } from './workflows/train/trainBayesianCnn.js';
export type { TrainBayesianCnnOptions, TrainBayesianCnnResult } from './workflows/train/trainBayesianCnn.js';
export { loadBayesianCnn, saveBayesianCnn } from './models/bayesianCnnCheckpoint.js';
export type { LoadedBayesianCnn } from './models/bayesianCnnCheckpoint.js';
export { fetchBayesianCnn } from './models/bayesianCnnRestore.js';
export { BayesianCnn } from './models/bayesianCnn.js';
export type { BayesianCnnConfig } from './models/bayesianCnn.js';
export { shippedModelNames, resolveModelFolder } from './models/pretrained.js';
export { predict } from './workflows/predict/predict.js';
export type { PredictOptions, PredictResult } from './workflows/predict/predict.js';

// Experiments.
export { activeLearn, ACTIVE_LEARN_DEFAULTS } from './workflows/activeLearning/activeLearn.js';
export type { ActiveLearnOptions, ActiveLearnResult } from './workflows/activeLearning/activeLearn.js';
export { runTable1, TABLE1_DEFAULTS } from './workflows/table1/table1.js';
export type { Table1Options, Table1Result } from './workflows/table1/table1.js';

// Vote-fraction metrics (the one definition used by every report).
export { voteFractionMetrics, meanVoteFractions } from './train/metrics/voteFractionMetrics.js';
export type { VoteFractionMetrics, QuestionErrors, AnswerErrors } from './train/metrics/voteFractionMetrics.js';

// Clustering without neural networks: k-means, diagonal and Dirichlet-process Bayesian GMMs, the choice of the
// number of clusters, and cluster-quality metrics (points: rows, or { values, dimension } row-major).
export { kMeans } from './cluster/kMeans.js';
export type { KMeansOptions, KMeansResult } from './cluster/kMeans.js';
export { fitDiagonalGmm } from './cluster/diagonalGmm.js';
export type { DiagonalGmmOptions, DiagonalGmmFit, DiagonalGmmParams } from './cluster/diagonalGmm.js';
export { fitBayesianGmm, BayesianGmm } from './cluster/bayesianGmm.js';
export type { BayesianGmmOptions } from './cluster/bayesianGmm.js';
export { chooseK } from './cluster/chooseK.js';
export type { ChooseKOptions, ChooseKResult } from './cluster/chooseK.js';
export type { PointsInput } from './cluster/points.js';
export { hungarianAccuracy } from './cluster/metrics/hungarianAccuracy.js';
export { adjustedRandIndex } from './cluster/metrics/adjustedRandIndex.js';
export { normalizedMutualInformation } from './cluster/metrics/normalizedMutualInformation.js';
export { simplifiedSilhouette } from './cluster/metrics/simplifiedSilhouette.js';
export { calinskiHarabasz } from './cluster/metrics/calinskiHarabasz.js';
export { gammaOverlap } from './cluster/metrics/gammaOverlap.js';
