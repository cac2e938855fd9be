import { describe, expect, it } from 'vitest';
import { CholeskyDecomposition, determinant, inverse, Matrix } from 'ml-matrix';
import { GaussianProcess, logMarginalLikelihood, rationalQuadratic, GP_JITTER, type RqWhiteParams } from '../../src/explore/gaussianProcess.js';
import { Rng } from '../../src/util/rng.js';

/** The kernel written out again, for the references below. */
function rq(d2: number, l: number, a: number): number {
  return (1 + d2 / (2 * a * l * l)) ** -a;
}

describe('rationalQuadratic', () => {
  it('is 1 at distance 0 and approaches the squared exponential for large α', () => {
    expect(rationalQuadratic(0, 0.5, 2)).toBe(1);
    expect(rationalQuadratic(0.49, 0.7, 1e7)).toBeCloseTo(Math.exp(-0.49 / (2 * 0.49)), 6);
  });
});

describe('GaussianProcess posterior: closed-form two-point case', () => {
  it('mean and variances equal the 2 × 2 formulas worked by hand', () => {
    const p: RqWhiteParams = { lengthScale: 0.7, alpha: 2, noise: 0.1 };
    const x = [0, 1];
    const y = [1, 2];
    const gp = GaussianProcess.withParams(x, y, 1, p);
    // K = [[c, k], [k, c]], K⁻¹ = [[c, −k], [−k, c]] / (c² − k²)
    const c = 1 + p.noise + GP_JITTER;
    const k = rq(1, 0.7, 2);
    const det = c * c - k * k;
    for (const xs of [0.3, -0.5, 2.5]) {
      const k1 = rq(xs * xs, 0.7, 2);
      const k2 = rq((xs - 1) ** 2, 0.7, 2);
      const mean = (k1 * (c * y[0] - k * y[1]) + k2 * (-k * y[0] + c * y[1])) / det;
      const quad = (c * k1 * k1 - 2 * k * k1 * k2 + c * k2 * k2) / det;
      const pred = gp.predict([xs]);
      expect(pred.mean[0]).toBeCloseTo(mean, 12);
      expect(pred.latentVariance[0]).toBeCloseTo(1 - quad, 12);
      expect(pred.sd[0]).toBeCloseTo(Math.sqrt(1 - quad + p.noise), 12);
      expect(gp.predictMean([xs])[0]).toBeCloseTo(mean, 12);
    }
  });

  it('far from the data the posterior is the prior: mean 0, latent variance 1', () => {
    const gp = GaussianProcess.withParams([0, 0, 1, 1], [3, 4], 2, { lengthScale: 0.5, alpha: 1, noise: 0.01 });
    const pred = gp.predict([1e4, 1e4]);
    expect(pred.mean[0]).toBeCloseTo(0, 6);
    expect(pred.latentVariance[0]).toBeCloseTo(1, 6);
  });
});

describe('logMarginalLikelihood', () => {
  const rng = new Rng(4);
  const n = 7;
  const d = 2;
  const x = Array.from({ length: n * d }, () => rng.normal());
  const y = Array.from({ length: n }, () => rng.range(0, 5));
  const p: RqWhiteParams = { lengthScale: 1.3, alpha: 0.6, noise: 0.2 };

  it('equals −½ yᵀK⁻¹y − ½ log det K − (n/2) log 2π computed with LU determinant and inverse', () => {
    const k = new Matrix(n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const d2 = (x[i * d] - x[j * d]) ** 2 + (x[i * d + 1] - x[j * d + 1]) ** 2;
        k.set(i, j, rq(d2, p.lengthScale, p.alpha) + (i === j ? p.noise + GP_JITTER : 0));
      }
    }
    const yv = Matrix.columnVector(y);
    const quad = yv.transpose().mmul(inverse(k)).mmul(yv).get(0, 0);
    const expected = -0.5 * quad - 0.5 * Math.log(determinant(k)) - (n / 2) * Math.log(2 * Math.PI);
    const lml = logMarginalLikelihood(x, y, d, p);
    expect(lml.value).toBeCloseTo(expected, 9);
    expect(GaussianProcess.withParams(x, y, d, p).logMarginalLikelihood).toBeCloseTo(expected, 9);
  });

  it('its gradient in log space matches central finite differences', () => {
    const { gradient } = logMarginalLikelihood(x, y, d, p);
    const keys = ['lengthScale', 'alpha', 'noise'] as const;
    keys.forEach((key, j) => {
      const h = 1e-5;
      const up = { ...p, [key]: p[key] * Math.exp(h) };
      const down = { ...p, [key]: p[key] * Math.exp(-h) };
      const fd = (logMarginalLikelihood(x, y, d, up).value - logMarginalLikelihood(x, y, d, down).value) / (2 * h);
      expect(gradient[j]).toBeCloseTo(fd, 5);
    });
  });

  it('refuses inputs that do not match the targets, naming the shapes', () => {
    expect(() => logMarginalLikelihood([1, 2, 3], [1, 2], 2, p)).toThrow(/2 rows × 2 columns = 4 values/);
    expect(() => logMarginalLikelihood([1, 2], [1, Number.NaN], 1, p)).toThrow(/target 1 is not a finite number/);
  });
});

describe('GaussianProcess.fit', () => {
  it('recovers the length scale and noise of data drawn from the GP', () => {
    const truth: RqWhiteParams = { lengthScale: 0.8, alpha: 3, noise: 0.01 };
    const rng = new Rng(11);
    const n = 100;
    const d = 2;
    const x = Array.from({ length: n * d }, () => rng.range(0, 5));
    const k = new Matrix(n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const d2 = (x[i * d] - x[j * d]) ** 2 + (x[i * d + 1] - x[j * d + 1]) ** 2;
        k.set(i, j, rq(d2, truth.lengthScale, truth.alpha) + (i === j ? truth.noise : 0));
      }
    }
    const l = new CholeskyDecomposition(k).lowerTriangularMatrix;
    const y = l.mmul(Matrix.columnVector(Array.from({ length: n }, () => rng.normal()))).getColumn(0);
    const gp = GaussianProcess.fit(x, y, d, { seed: 1 });
    expect(gp.params.lengthScale).toBeGreaterThan(truth.lengthScale / 1.6);
    expect(gp.params.lengthScale).toBeLessThan(truth.lengthScale * 1.6);
    expect(gp.params.noise).toBeGreaterThan(truth.noise / 3);
    expect(gp.params.noise).toBeLessThan(truth.noise * 3);
    // the optimum is at least as likely as the truth and stationary
    expect(gp.logMarginalLikelihood).toBeGreaterThanOrEqual(logMarginalLikelihood(x, y, d, truth).value);
    const g = logMarginalLikelihood(x, y, d, gp.params).gradient;
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-2);
  });

  it('is deterministic for a seed', () => {
    const x = [0, 0.5, 1, 2, 3];
    const y = [0, 1, 5, 1, 0];
    expect(GaussianProcess.fit(x, y, 1, { seed: 3 }).params).toEqual(GaussianProcess.fit(x, y, 1, { seed: 3 }).params);
  });
});
