/**
 * A pixel-space baseline beside AstroVaDEr's clusters, when the true classes are known: the galaxies' preprocessed
 * pixels (area-averaged to at most 16 px a side: for 1,500 galaxies at 32 px, 1,024 pixels, the baseline took 7 minutes on
 * the loaded 2-core machine, at 16 px the whole baseline 6 s), their first principal components (explore/pca.ts),
 * then k-means and a diagonal GMM with the same K (src/cluster), scored against the truth with the
 * same metrics. It says whether the classes are separable at all by their pixels' dominant variations: a target for
 * VaDE's accuracy is only meaningful if something this simple gets somewhere (or fails for a reason VaDE can fix).
 */
import { Pca } from '../../explore/pca.js';
import { kMeans } from '../../cluster/kMeans.js';
import { fitDiagonalGmm } from '../../cluster/diagonalGmm.js';
import { adjustedRandIndex } from '../../cluster/metrics/adjustedRandIndex.js';
import { hungarianAccuracy } from '../../cluster/metrics/hungarianAccuracy.js';
import { normalizedMutualInformation } from '../../cluster/metrics/normalizedMutualInformation.js';
import type { ImageDataset } from '../../data/dataset.js';
import type { ClusterGalaxy } from './clusterData.js';

/** Largest side the pixels are averaged down to. */
export const BASELINE_MAX_SIDE = 16;

export interface BaselineScore {
  hungarian_accuracy: number;
  ari: number;
  nmi: number;
  clusterSizes: number[];
}

export interface PixelBaseline {
  /** Galaxies with a known class that were clustered. */
  galaxies: number;
  side: number;
  components: number;
  /** Share of the pixel variance the components hold. */
  explainedVariance: number;
  k: number;
  kMeans: BaselineScore;
  gmm: BaselineScore;
}

export interface PixelBaselineOptions {
  k: number;
  /** Principal components kept (at most the pixel count and galaxies − 1). */
  components: number;
  seed: number;
}

/** The baseline over the dataset's galaxies with a known class (epoch-0 order, no augmentation); null when none has one. */
export async function pixelBaseline(
  dataset: ImageDataset<ClusterGalaxy>, byId: ReadonlyMap<string, ClusterGalaxy>, o: PixelBaselineOptions,
): Promise<PixelBaseline | null> {
  const [side, , channels] = dataset.imageShape;
  const factor = Math.max(1, Math.ceil(side / BASELINE_MAX_SIDE));
  const small = Math.floor(side / factor);
  const rows: Float32Array[] = [];
  const truth: string[] = [];
  for await (const batch of dataset.batches(0)) {
    const per = side * side * channels;
    batch.ids.forEach((id, b) => {
      const t = byId.get(id)?.truth ?? null;
      if (t === null) return;
      rows.push(areaAverage(batch.arrays.images.subarray(b * per, (b + 1) * per), side, channels, factor));
      truth.push(t);
    });
  }
  return rows.length > o.k ? clusterPixels(rows, truth, small, o) : null;
}

/** PCA, then k-means and a diagonal GMM, of images (each `d` values) with known classes; scored against them. */
export function clusterPixels(rows: readonly Float32Array[], truth: readonly string[], side: number, o: PixelBaselineOptions): PixelBaseline {
  const d = rows[0].length;
  const flat = new Float32Array(rows.length * d);
  rows.forEach((r, i) => flat.set(r, i * d));
  const components = Math.min(o.components, d, rows.length - 1);
  const pca = Pca.fit(flat, d, components);
  const coordinates = pca.project(flat);
  const points = { values: coordinates, dimension: components };
  const classes = [...new Set(truth)].sort();
  const labels = truth.map((t) => classes.indexOf(t));
  const score = (predicted: ArrayLike<number>): BaselineScore => ({
    hungarian_accuracy: hungarianAccuracy(labels, predicted).accuracy,
    ari: adjustedRandIndex(labels, predicted),
    nmi: normalizedMutualInformation(labels, predicted),
    clusterSizes: Array.from({ length: o.k }, (_, c) => Array.from(predicted).filter((p) => p === c).length),
  });
  const means = kMeans(points, o.k, { seed: o.seed });
  const gmm = fitDiagonalGmm(points, o.k, { seed: o.seed });
  const gmmLabels = Int32Array.from({ length: rows.length }, (_, i) => {
    const r = gmm.responsibilities.subarray(i * o.k, (i + 1) * o.k);
    return r.indexOf(Math.max(...r));
  });
  return {
    galaxies: rows.length, side, components,
    explainedVariance: pca.toJSON().explainedVarianceRatio.reduce((a, b) => a + b, 0),
    k: o.k, kMeans: score(means.labels), gmm: score(gmmLabels),
  };
}

/** Mean of each factor × factor block of an image [S, S, C] (HWC) → [S/factor, S/factor, C]. */
export function areaAverage(image: ArrayLike<number>, side: number, channels: number, factor: number): Float32Array {
  const small = Math.floor(side / factor);
  const out = new Float32Array(small * small * channels);
  for (let y = 0; y < small; y++) {
    for (let x = 0; x < small; x++) {
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let dy = 0; dy < factor; dy++) for (let dx = 0; dx < factor; dx++) s += image[((y * factor + dy) * side + x * factor + dx) * channels + c];
        out[(y * small + x) * channels + c] = s / (factor * factor);
      }
    }
  }
  return out;
}
