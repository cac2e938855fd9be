import { describe, expect, it } from 'vitest';
import { wellFormedProblems } from './wellFormed.js';

describe('wellFormedProblems (the test helper itself)', () => {
  it('accepts a balanced document', () => {
    expect(wellFormedProblems('<svg a="1"><g><rect x="1"/><text>a &amp; b</text></g></svg>')).toEqual([]);
  });
  it('finds mismatched, unclosed and unescaped content', () => {
    expect(wellFormedProblems('<svg><g></svg>')).toContain('</svg> closes <g>');
    expect(wellFormedProblems('<svg><g>')).toContain('unclosed: svg, g');
    expect(wellFormedProblems('<svg><text>a < b</text></svg>').length).toBeGreaterThan(0);
    expect(wellFormedProblems('<svg><text>a & b</text></svg>').length).toBeGreaterThan(0);
  });
});
