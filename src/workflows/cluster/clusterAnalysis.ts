/**
 * The analysis of a trained AstroVaDEr's clusters (ALGORITHMS.md §6), as plain numbers for tables and figures:
 * galaxies per cluster (argmax γ), counts above γ cuts, the simplified silhouette per cluster and overall and the
 * Calinski–Harabasz index of the embedded means under those assignments, the mean-γ overlap matrix (row a: the mean
 * responsibilities of the galaxies assigned to a), the galaxies of highest γ_k per cluster, the mean Galaxy Zoo
 * vote fraction of every answer per cluster with η² (the share of the fraction's variance between clusters), and,
 * with known classes, the cluster × class table, Hungarian accuracy, ARI and NMI. Metrics come from src/cluster.
 */
import { adjustedRandIndex } from '../../cluster/metrics/adjustedRandIndex.js';
import { calinskiHarabasz } from '../../cluster/metrics/calinskiHarabasz.js';
import { gammaOverlap } from '../../cluster/metrics/gammaOverlap.js';
import { hungarianAccuracy } from '../../cluster/metrics/hungarianAccuracy.js';
import { normalizedMutualInformation } from '../../cluster/metrics/normalizedMutualInformation.js';
import { simplifiedSilhouette } from '../../cluster/metrics/simplifiedSilhouette.js';
import type { Schema } from '../../data/schema.js';
import type { Embedding } from './clusterEmbed.js';
import type { ClusterGalaxy } from './clusterData.js';

/** γ cuts the counts are reported at. */
export const GAMMA_CUTS = [0.5, 0.8, 0.95] as const;

export interface ClusterRow {
  cluster: number;
  galaxies: number;
  share: number;
  /** Galaxies whose γ for this cluster exceeds each cut (key `gamma>0.5`, …). */
  aboveCuts: Record<string, number>;
  /** Mean simplified silhouette of the cluster's galaxies (NaN for an empty cluster). */
  silhouette: number;
  /** π_k of the trained prior. */
  weight: number;
}

export interface AnswerAgreement {
  answer: string;
  /** Mean vote fraction per cluster (NaN where no galaxy of the cluster has votes). */
  perCluster: number[];
  /** Mean over every galaxy with votes. */
  overall: number;
  /** Between-cluster sum of squares / total sum of squares of the fraction. */
  etaSquared: number;
}

export interface TruthAgreement {
  classes: string[];
  /** contingency[cluster][class]: galaxies. */
  contingency: number[][];
  galaxies: number;
  hungarianAccuracy: number;
  ari: number;
  nmi: number;
}

export interface ClusterAnalysis {
  k: number;
  galaxies: number;
  assignments: Int32Array;
  /** γ of each galaxy for its own cluster. */
  confidence: Float64Array;
  clusters: ClusterRow[];
  silhouette: number;
  calinskiHarabasz: number;
  /** overlap[a][b]: mean γ_b of the galaxies assigned to a. */
  overlap: number[][];
  /** Per cluster: indices (into the embedding) of the galaxies of highest γ_k, best first. */
  top: number[][];
  /** Galaxy Zoo agreement, or null without votes. */
  votes: { galaxies: number; answers: AnswerAgreement[] } | null;
  truth: TruthAgreement | null;
}

export function analyseClusters(
  embedding: Embedding, byId: ReadonlyMap<string, ClusterGalaxy>, schema: Schema | null, weights: ArrayLike<number>, topK: number,
): ClusterAnalysis {
  const n = embedding.ids.length;
  const k = weights.length;
  const gamma = new Float64Array(n * k);
  embedding.responsibilities.forEach((g, i) => gamma.set(g, i * k));
  const { matrix: overlap, sizes, assigned: assignments } = gammaOverlap(gamma, k);
  const confidence = Float64Array.from(assignments, (a, i) => embedding.responsibilities[i][a]);
  const used = sizes.filter((size) => size > 0).length;
  const quality = used >= 2 && used < n;
  const silhouettes = quality ? simplifiedSilhouette(embedding.means, assignments) : null;
  const perCluster = new Map(silhouettes?.clusters.map((c) => [c.label, c.silhouette]) ?? []);
  const clusters: ClusterRow[] = sizes.map((size, c) => {
    const aboveCuts = Object.fromEntries(GAMMA_CUTS.map((cut) => [`gamma>${cut}`, embedding.responsibilities.filter((g) => g[c] > cut).length]));
    return { cluster: c, galaxies: size, share: size / n, aboveCuts, silhouette: perCluster.get(c) ?? Number.NaN, weight: weights[c] };
  });
  const top = Array.from({ length: k }, (_, c) =>
    Array.from({ length: n }, (_, i) => i).sort((a, b) => embedding.responsibilities[b][c] - embedding.responsibilities[a][c]).slice(0, topK));
  const galaxies = embedding.ids.map((id) => byId.get(id));
  return {
    k, galaxies: n, assignments, confidence, clusters,
    silhouette: silhouettes?.overall ?? Number.NaN,
    calinskiHarabasz: quality ? calinskiHarabasz(embedding.means, assignments) : Number.NaN,
    overlap,
    top,
    votes: schema === null ? null : voteAgreement(galaxies, assignments, schema, k),
    truth: truthAgreement(galaxies, assignments, k),
  };
}

function voteAgreement(galaxies: (ClusterGalaxy | undefined)[], assignments: Int32Array, schema: Schema, k: number): ClusterAnalysis['votes'] {
  const voted = galaxies.map((g, i) => ({ f: g?.fractions ?? null, c: assignments[i] })).filter((x): x is { f: Float32Array; c: number } => x.f !== null);
  if (voted.length === 0) return null;
  const answers = schema.answers.map((a) => {
    const sums = new Array<number>(k).fill(0);
    const counts = new Array<number>(k).fill(0);
    let total = 0;
    for (const { f, c } of voted) {
      sums[c] += f[a.index];
      counts[c] += 1;
      total += f[a.index];
    }
    const overall = total / voted.length;
    const perCluster = sums.map((s, c) => (counts[c] > 0 ? s / counts[c] : Number.NaN));
    let between = 0;
    let all = 0;
    for (const { f, c } of voted) {
      between += (perCluster[c] - overall) ** 2;
      all += (f[a.index] - overall) ** 2;
    }
    return { answer: a.key, perCluster, overall, etaSquared: all > 0 ? between / all : Number.NaN };
  });
  return { galaxies: voted.length, answers };
}

function truthAgreement(galaxies: (ClusterGalaxy | undefined)[], assignments: Int32Array, k: number): TruthAgreement | null {
  const known = galaxies.map((g, i) => ({ t: g?.truth ?? null, c: assignments[i] })).filter((x): x is { t: string; c: number } => x.t !== null);
  if (known.length === 0) return null;
  const classes = [...new Set(known.map((x) => x.t))].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const truth = known.map((x) => index.get(x.t) as number);
  const predicted = known.map((x) => x.c);
  const contingency = Array.from({ length: k }, () => new Array<number>(classes.length).fill(0));
  known.forEach((x, i) => (contingency[x.c][truth[i]] += 1));
  return {
    classes, contingency, galaxies: known.length,
    hungarianAccuracy: hungarianAccuracy(truth, predicted).accuracy,
    ari: adjustedRandIndex(truth, predicted),
    nmi: normalizedMutualInformation(truth, predicted),
  };
}
