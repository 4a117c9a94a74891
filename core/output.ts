/**
 * Printing for the CLI. Results go to stdout; progress and errors to stderr. Colour only on a terminal (see colour.ts:
 * NO_COLOR and FORCE_COLOR are honoured).
 */
import { stripVTControlCharacters } from 'node:util';
import { colour } from './colour.js';
import { WorkshopError } from './errors.js';

export const isInteractive = (): boolean => Boolean(process.stderr.isTTY) && !process.env.CI;

export function progress(message: string): void {
  process.stderr.write(`${colour.dim('…')} ${message}\n`);
}

export function success(message: string): void {
  process.stderr.write(`${colour.green('✓')} ${message}\n`);
}

/** `Error: <message>` and the hint; a stack only for errors the kit did not expect, which are its own bugs. */
export function printError(error: unknown): void {
  if (error instanceof WorkshopError) {
    process.stderr.write(`${colour.red('Error:')} ${error.message}\n`);
    if (error.hint) process.stderr.write(`${colour.yellow('→')} ${error.hint}\n`);
    return;
  }
  process.stderr.write(`${colour.red('Error (a bug in the workshop kit, please report it):')}\n`);
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`${colour.yellow('!')} ${message}\n`);
}

/** How a table of text is laid out; see formatTable. */
export interface TableOptions {
  /** The columns' titles, as the first line. */
  header?: string[];
  /** A line of dashes under the header, as wide as each column; true joins the columns' dashes by the separator,
   * a text by that text (' | ' between columns goes with '-+-'). */
  rule?: boolean | string;
  /** Between two columns; two spaces unless said. */
  separator?: string;
  /** Before every line. */
  indent?: string;
  /** No column wider than this: a longer cell stands on a line of its own, the rest of its row on the next line. */
  maxWidth?: number;
  /** Printed in place of a table without rows (the header is not printed then). */
  empty?: string;
}

/** The width a cell takes on a terminal: colours (core/colour.ts) take none. */
export function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}

/** Each column's width: its widest cell (header included) but those wider than maxWidth. */
export function columnWidths(rows: string[][], { maxWidth = Infinity } = {}): number[] {
  const count = Math.max(0, ...rows.map((row) => row.length));
  return Array.from({ length: count }, (_, i) =>
    Math.max(0, ...rows.map((row) => visibleLength(row[i] ?? '')).filter((length) => length <= maxWidth)),
  );
}

/**
 * One row: each cell padded to its column's width, the columns joined by the separator, no space at the end of a
 * line. A cell wider than its column (see maxWidth) ends its line; the rest of the row goes on under its columns.
 */
export function tableRow(cells: string[], widths: number[], separator = '  ', { wrap = true } = {}): string {
  if (!wrap) {
    // Rows printed as they arrive (a query's): one line each, a wide cell pushing the rest of its row along.
    return cells
      .map((cell, i) => cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(cell))))
      .join(separator)
      .trimEnd();
  }
  const lines: string[] = [];
  let line = '';
  cells.forEach((cell, i) => {
    line += `${i === 0 ? '' : separator}${cell}`;
    const overflow = visibleLength(cell) - (widths[i] ?? 0);
    if (overflow > 0 && i < cells.length - 1) {
      lines.push(line.trimEnd());
      line = ' '.repeat(visibleLength(line) - overflow);
    } else {
      line += ' '.repeat(Math.max(0, -overflow));
    }
  });
  lines.push(line.trimEnd());
  return lines.join('\n');
}

/** The dashes under a header: one run a column, as wide as the column, joined by `joiner`. */
export function tableRule(widths: number[], joiner = '  '): string {
  return widths.map((width) => '-'.repeat(width)).join(joiner);
}

/** Rows of text as aligned columns; no line ends in spaces. */
export function formatTable(rows: string[][], options: TableOptions = {}): string {
  const { header, rule, separator = '  ', indent = '', empty } = options;
  if (rows.length === 0 && empty !== undefined) return `${indent}${empty}`;
  const widths = columnWidths(header ? [header, ...rows] : rows, options);
  const lines = [
    ...(header ? [tableRow(header, widths, separator)] : []),
    ...(header && rule ? [tableRule(widths, rule === true ? separator : rule)] : []),
    ...rows.map((row) => tableRow(row, widths, separator)),
  ];
  return lines
    .join('\n')
    .split('\n')
    .map((line) => (line === '' ? '' : `${indent}${line}`))
    .join('\n');
}
