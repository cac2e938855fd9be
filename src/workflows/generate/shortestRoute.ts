/**
 * The shortest open route through points (a travelling-salesperson path: every point once, any start and end), as
 * AstroVaDEr orders its cluster exemplars before interpolating between them. Exact by Held–Karp dynamic programming
 * over subsets (O(2ⁿ n²)) for up to EXACT_LIMIT points; above it, nearest-neighbour routes from every start improved
 * by 2-opt, the shortest kept. Written here because the cluster counts are small (exact search is a few lines) and no
 * maintained npm package offers an exact open-path solver.
 */
import { OptionError } from '../../util/errors.js';

export const EXACT_LIMIT = 16;

export interface Route {
  /** Point indices in visiting order. */
  order: number[];
  /** Sum of the Euclidean lengths of its legs. */
  length: number;
  exact: boolean;
}

export function shortestRoute(points: readonly ArrayLike<number>[]): Route {
  const n = points.length;
  if (n === 0) throw new OptionError('points', 'at least one point', points);
  const dist = points.map((a) => points.map((b) => {
    let s = 0;
    for (let d = 0; d < a.length; d++) s += (a[d] - b[d]) ** 2;
    return Math.sqrt(s);
  }));
  if (n <= 2) return { order: points.map((_, i) => i), length: n === 2 ? dist[0][1] : 0, exact: true };
  return n <= EXACT_LIMIT ? heldKarp(dist) : twoOptRoute(dist);
}

function routeLength(order: number[], dist: number[][]): number {
  let s = 0;
  for (let i = 1; i < order.length; i++) s += dist[order[i - 1]][order[i]];
  return s;
}

/** best[mask][last]: shortest path visiting exactly `mask`, ending at `last` (any start). */
function heldKarp(dist: number[][]): Route {
  const n = dist.length;
  const full = 1 << n;
  const best = new Float64Array(full * n).fill(Number.POSITIVE_INFINITY);
  const parent = new Int8Array(full * n).fill(-1);
  for (let i = 0; i < n; i++) best[(1 << i) * n + i] = 0;
  for (let mask = 1; mask < full; mask++) {
    for (let last = 0; last < n; last++) {
      const here = best[mask * n + last];
      if (!(mask & (1 << last)) || here === Number.POSITIVE_INFINITY) continue;
      for (let next = 0; next < n; next++) {
        if (mask & (1 << next)) continue;
        const to = (mask | (1 << next)) * n + next;
        const candidate = here + dist[last][next];
        if (candidate < best[to]) {
          best[to] = candidate;
          parent[to] = last;
        }
      }
    }
  }
  let end = 0;
  for (let i = 1; i < n; i++) if (best[(full - 1) * n + i] < best[(full - 1) * n + end]) end = i;
  const order: number[] = [];
  let mask = full - 1;
  let at = end;
  while (at >= 0) {
    order.push(at);
    const previous = parent[mask * n + at];
    mask &= ~(1 << at);
    at = previous;
  }
  order.reverse();
  return { order, length: routeLength(order, dist), exact: true };
}

function twoOptRoute(dist: number[][]): Route {
  const n = dist.length;
  let bestOrder: number[] = [];
  let bestLength = Number.POSITIVE_INFINITY;
  for (let start = 0; start < n; start++) {
    const order = [start];
    const left = new Set(Array.from({ length: n }, (_, i) => i).filter((i) => i !== start));
    while (left.size > 0) {
      const last = order[order.length - 1];
      let next = -1;
      for (const c of left) if (next < 0 || dist[last][c] < dist[last][next]) next = c;
      order.push(next);
      left.delete(next);
    }
    let improved = true;
    while (improved) {
      improved = false;
      for (let i = 0; i < n - 1; i++) {
        for (let j = i + 1; j < n; j++) {
          // Reversing order[i..j] changes the legs into order[i] and out of order[j] (either may be an end).
          const before = (i > 0 ? dist[order[i - 1]][order[i]] : 0) + (j < n - 1 ? dist[order[j]][order[j + 1]] : 0);
          const after = (i > 0 ? dist[order[i - 1]][order[j]] : 0) + (j < n - 1 ? dist[order[i]][order[j + 1]] : 0);
          if (after < before - 1e-12) {
            order.splice(i, j - i + 1, ...order.slice(i, j + 1).reverse());
            improved = true;
          }
        }
      }
    }
    const length = routeLength(order, dist);
    if (length < bestLength) {
      bestLength = length;
      bestOrder = order;
    }
  }
  return { order: bestOrder, length: bestLength, exact: false };
}
