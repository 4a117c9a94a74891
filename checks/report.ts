/** Printing check results: one formatter for the terminal, and the same objects as JSON for machines. */
import { colour } from '#core/colour.js';
import type { Progress } from './progress.js';
import type { ExpectationResult, Outcome, StepResult } from './types.js';

const marks: Record<Outcome, string> = {
  pass: colour.green('✓'),
  'not-yet': colour.yellow('…'),
  fail: colour.red('✗'),
  'environment-error': colour.magenta('!'),
};

const words: Record<Outcome, string> = {
  pass: 'pass',
  'not-yet': 'not yet',
  fail: 'fail',
  'environment-error': 'environment error',
};

export function formatExpectation(result: ExpectationResult, stepId: string): string {
  const warning = result.warning ? [`      ${colour.yellow('warning:')} ${result.warning}`] : [];
  if (result.outcome === 'pass') return [`  ${marks.pass} ${result.object}: ${result.found}`, ...warning].join('\n');
  const lines = [
    `  ${marks[result.outcome]} ${result.object}: expected ${result.expected}, found ${result.found}`,
    ...warning,
  ];
  if (result.outcome === 'environment-error') {
    lines.push(`      not your mistake: the platform is not ready; ${result.hint}, then npm run check ${stepId}`);
  } else {
    lines.push(`      hint: ${result.hint}`);
  }
  return lines.join('\n');
}

export function formatStep(result: StepResult, skippedProbes = 0): string {
  const lines = [
    `${marks[result.outcome]} ${colour.bold(result.id)}  ${result.title}  ${colour.dim(`(${words[result.outcome]})`)}`,
  ];
  for (const expectation of result.expectations) lines.push(formatExpectation(expectation, result.id));
  if (skippedProbes > 0) lines.push(colour.dim(`  (${skippedProbes} probe(s) not sent: --passive)`));
  if (result.outcome !== 'pass') lines.push(`  → ${result.next}`);
  return lines.join('\n');
}

/** A saved time as the learner's clock shows it: 2026-11-22 14:05. */
function localMinute(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

export function formatProgressTable(
  rows: { id: string; title: string; outcome?: Outcome }[],
  progress: Progress,
): string {
  const header = ['step', 'now', 'first passed', 'title'];
  const table = rows.map((row) => [
    row.id,
    row.outcome ? `${marks[row.outcome]} ${words[row.outcome]}` : colour.dim('not checked'),
    localMinute(progress[row.id]?.firstPassedAt) ?? '—',
    row.title,
  ]);
  // Widths ignore colour codes.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes.
  const visible = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells.map((cell, i) => cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visible(cell)))).join('  ');
  return [line(header), ...table.map(line)].join('\n');
}
