/**
 * Markdown tables for run summaries: padded columns, alignment (numbers right, text left unless told),
 * numbers rounded and mean ± sd cells written as `0.412 ± 0.013`.
 */
import { OptionError } from '../util/errors.js';
import { check, resolveOptions, type Check, type Spec } from '../util/options.js';
import { columnListCheck, formatMeanSd, formatNumber, isMeanSd, tableColumns, type TableCell, type TableRow } from './tableCell.js';

export const ALIGNMENTS = ['left', 'right', 'center'] as const;
export type Alignment = (typeof ALIGNMENTS)[number];

export interface MarkdownTableOptions {
  /** Columns to show, in order; null shows every field in order of first appearance. @default null */
  columns: string[] | null;
  /** Alignment per column; unlisted columns are right-aligned when all their cells are numbers, else left. @default {} */
  align: Record<string, Alignment>;
  /** Decimals of non-integer numbers and of mean ± sd cells. @default 3 */
  decimals: number;
}

const DEFAULTS: MarkdownTableOptions = { columns: null, align: {}, decimals: 3 };

function alignCheck(): Check<Record<string, Alignment>> {
  return (v, name) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new OptionError(name, 'a record of column → alignment', v);
    for (const [column, a] of Object.entries(v)) check.oneOf(ALIGNMENTS)(a, `${name}.${column}`);
  };
}

const SPEC: Spec<MarkdownTableOptions> = { columns: columnListCheck(), align: alignCheck(), decimals: check.integer(0, 12) };

/** A GitHub-flavoured Markdown table (ending in a newline). */
export function markdownTable(rows: readonly TableRow[], options: Partial<MarkdownTableOptions> = {}): string {
  const o = resolveOptions(DEFAULTS, SPEC, options);
  const columns = tableColumns(rows, o.columns);
  for (const column of Object.keys(o.align)) {
    if (!columns.includes(column)) throw new OptionError(`align.${column}`, `a column of the table (${columns.join(', ')})`, column);
  }
  const body = rows.map((row) => columns.map((c) => cellText(row[c], o.decimals)));
  const header = columns.map(escapeCell);
  const aligns = columns.map((c) => o.align[c] ?? (isNumericColumn(rows, c) ? 'right' : 'left'));
  const widths = columns.map((_, j) => Math.max(3, header[j].length, ...body.map((r) => r[j].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, j) => pad(cell, widths[j], aligns[j])).join(' | ')} |`;
  const rule = `| ${aligns.map((a, j) => alignmentRule(a, widths[j])).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)].join('\n') + '\n';
}

function cellText(cell: TableCell, decimals: number): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return formatNumber(cell, decimals);
  if (typeof cell === 'boolean') return String(cell);
  if (isMeanSd(cell)) return formatMeanSd(cell, decimals);
  return escapeCell(cell);
}

/** Pipes would end the cell and newlines the row. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function isNumericColumn(rows: readonly TableRow[], column: string): boolean {
  const cells = rows.map((r) => r[column]).filter((c) => c !== null && c !== undefined);
  return cells.length > 0 && cells.every((c) => typeof c === 'number' || isMeanSd(c));
}

function pad(text: string, width: number, align: Alignment): string {
  const room = width - text.length;
  switch (align) {
    case 'left':
      return text + ' '.repeat(room);
    case 'right':
      return ' '.repeat(room) + text;
    case 'center': {
      const before = Math.floor(room / 2);
      return ' '.repeat(before) + text + ' '.repeat(room - before);
    }
  }
}

function alignmentRule(align: Alignment, width: number): string {
  switch (align) {
    case 'left':
      return ':' + '-'.repeat(width - 1);
    case 'right':
      return '-'.repeat(width - 1) + ':';
    case 'center':
      return ':' + '-'.repeat(width - 2) + ':';
  }
}
