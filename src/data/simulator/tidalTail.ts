/**
 * Tidal tails: curved, fading streams of light drawn out of an interacting galaxy, splatted as a chain of
 * Gaussian blobs along a spiral-like arc that widens and fades with distance.
 */
import type { Rng } from '../../util/rng.js';
import { addGaussianBlob } from './blob.js';

export interface TailGeometry {
  /** Galaxy centre the tail leaves from, pixels. */
  x: number;
  y: number;
  /** Radius (pixels) at which the tail starts and its length scale. */
  startRadius: number;
  length: number;
  /** Total flux in the tail, counts. */
  flux: number;
}

export function addTidalTail(img: Float32Array, size: number, tail: TailGeometry, rng: Rng): void {
  const segments = 24;
  const direction = rng.range(0, 2 * Math.PI);
  const curl = rng.range(0.8, 2.2) * (rng.bernoulli(0.5) ? 1 : -1);
  const scale = size / 64;
  let weightSum = 0;
  for (let k = 0; k < segments; k++) weightSum += Math.exp(-(2.2 * k) / segments);
  for (let k = 0; k < segments; k++) {
    const t = k / (segments - 1);
    const r = tail.startRadius + tail.length * t;
    const phi = direction + curl * t;
    const x = tail.x + r * Math.cos(phi);
    const y = tail.y - r * Math.sin(phi);
    const sigma = scale * (0.8 + 1.8 * t);
    addGaussianBlob(img, size, x, y, sigma, (tail.flux * Math.exp(-(2.2 * k) / segments)) / weightSum);
  }
}
