/**
 * The SQL a learner gives `npm run ksql`, `npm run flink` or `npm run mysql`: statements in quotes, or a file with -f
 * (relative to the folder the command was typed in: npm runs scripts from the kit's folder), one of the two.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandLine } from '#core/args.js';
import { UsageError } from '#core/errors.js';

export interface SqlInput {
  text: string;
  /** How messages name it: the file as typed, or "the statement". */
  where: string;
  /** Whether it came from a file (a message then names the statement's line). */
  fromFile: boolean;
}

export function readSqlInput(
  { values, positionals, usageError }: Pick<CommandLine<{ file?: string }>, 'values' | 'positionals' | 'usageError'>,
  options: { what: string; example: string; where?: string; semicolon?: boolean },
): SqlInput {
  if ((values.file === undefined) === (positionals.length === 0)) {
    throw usageError(`give the ${options.what} in quotes or a file with -f, one of the two`, {
      hint: `for example: ${options.example}`,
    });
  }
  if (values.file === undefined) {
    const typed = positionals.join(' ');
    // A single statement typed without its semicolon (`semicolon`: the engine needs one): added rather than refused.
    const text = options.semicolon && !typed.includes(';') ? `${typed};` : typed;
    return { text, where: options.where ?? 'the statement', fromFile: false };
  }
  const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), values.file);
  try {
    return { text: readFileSync(file, 'utf8'), where: values.file, fromFile: true };
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}
