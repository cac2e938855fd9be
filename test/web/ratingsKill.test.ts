/**
 * Ratings survive a process killed mid-write: a child process rewrites a ratings file through the same code as the
 * explorer and `galmorph anomalies` (writeRatings: a flushed temporary file renamed into place), one more rating each
 * time, printing the count after each write; it is killed with SIGKILL at a random moment, twice. Each time the
 * file must parse (readRatings) and hold every rating the child had reported written, unchanged.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { readRatings } from '../../src/workflows/anomalies/anomaliesRatings.js';

const dir = mkdtempSync(join(tmpdir(), 'gm-ratings-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** Ratings the child starts from (a long session: every rewrite is ~40 kB). */
const START = 3000;
const expected = (k: number) => ({ id: `g${k}`, rating: (k * 7) % 6, round: Math.floor(k / 10) });

/** Runs the writer until it has reported `atLeast` writes, then kills it after `delayMs`; resolves with the last count it reported. */
function writeThenKill(file: string, atLeast: number, delayMs: number): Promise<number> {
  const script = `
    const { writeRatings } = await import('./src/workflows/anomalies/anomaliesRatings.ts');
    const ratings = [];
    const add = (k) => ratings.push({ index: k, id: 'g' + k, rating: (k * 7) % 6, round: Math.floor(k / 10) });
    for (let k = 0; k < ${START}; k++) add(k);
    for (let k = ${START}; ; k++) {
      add(k);
      writeRatings(${JSON.stringify(file)}, ratings);
      process.stdout.write(ratings.length + '\\n');
    }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let reported = 0;
  let stderr = '';
  let killing = false;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const lines = d.toString().trim().split('\n');
      reported = Number(lines[lines.length - 1]);
      if (!killing && reported >= atLeast) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    // 'close': after the last line the child printed has been read
    child.on('close', (code, signal) => (signal === 'SIGKILL' ? resolve(reported) : reject(new Error(`the writer ended by itself (code ${code}): ${stderr}`))));
  });
}

describe('ratings file', () => {
  it('keeps every earlier rating and parses after the writer is killed mid-write (SIGKILL, twice)', async () => {
    const rng = new Rng(9);
    const indexOfId = new Map(Array.from({ length: START + 100_000 }, (_, k) => [`g${k}`, k]));
    for (let attempt = 0; attempt < 2; attempt++) {
      const file = join(dir, `ratings${attempt}.csv`);
      const reported = await writeThenKill(file, START + 5 + rng.int(20), rng.int(40));
      const ratings = readRatings(file, indexOfId); // parses: never half a file
      // Every rating reported written is there (one more when the kill fell between the rename and the report).
      expect(ratings.length).toBeGreaterThanOrEqual(reported);
      expect(ratings.length).toBeLessThanOrEqual(reported + 1);
      expect(ratings.map((r) => ({ id: r.id, rating: r.rating, round: r.round }))).toEqual(ratings.map((_, k) => expected(k)));
    }
  }, 120_000);
});
