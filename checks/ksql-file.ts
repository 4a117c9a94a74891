/**
 * ksqlDB statements as a person writes them in a file or on a command line: split into statements, with `SET` and
 * `UNSET` turned into the properties that go with the statements after them, and the name and form of what each
 * CREATE makes. The split follows ksqlDB's lexer: `-- text` comments to the end of the line, '…' strings with ''
 * inside, `…` quoted names; a statement ends at a `;` outside them.
 */
import { splitSql } from './sql-text.js';

export interface KsqlStatement {
  /** The statement as written (comments removed), ending with `;`. */
  text: string;
  /** Line of the file where it starts (1-based). */
  line: number;
  /** Properties in force for it: from the SET lines before it. */
  properties: Record<string, string>;
}

export interface CreatedObject {
  name: string;
  type: 'STREAM' | 'TABLE';
  /** CREATE … AS SELECT: a persistent query writes it, into a topic of its own. */
  asSelect: boolean;
}

/** Splits text into statements; a statement without its closing `;` is a usage error naming its line. */
export function splitStatements(text: string, where = 'the statement'): KsqlStatement[] {
  const statements: KsqlStatement[] = [];
  const properties: Record<string, string> = {};
  for (const { text: statement, line } of splitSql(text, where, 'ksqlDB')) {
    const set = /^SET\s+'([^']+)'\s*=\s*'([^']*)'\s*;$/i.exec(statement);
    const unset = /^UNSET\s+'([^']+)'\s*;$/i.exec(statement);
    if (set?.[1] !== undefined) properties[set[1]] = set[2] ?? '';
    else if (unset?.[1] !== undefined) delete properties[unset[1]];
    else statements.push({ text: statement, line, properties: { ...properties } });
  }
  return statements;
}

/**
 * Lines holding a bare `--`: ksqlDB's lexer then takes the next line as part of the comment, and a statement loses
 * its first line without a word. Each as "line N".
 */
export function bareCommentLines(text: string): number[] {
  return text
    .split('\n')
    .map((content, index) => ({ content: content.trim(), line: index + 1 }))
    .filter(({ content }) => content === '--')
    .map(({ line }) => line);
}

const createPattern =
  /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:SOURCE\s+)?(STREAM|TABLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?(`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)([\s\S]*)$/i;

/** What a CREATE STREAM/TABLE statement makes, or undefined for any other statement. */
export function createdObject(statement: string): CreatedObject | undefined {
  const match = createPattern.exec(statement.trim());
  if (!match) return undefined;
  const [, type, rawName, rest] = match as unknown as [string, string, string, string];
  const name = rawName.startsWith('`') ? rawName.slice(1, -1) : rawName.toUpperCase();
  return { name, type: type.toUpperCase() as 'STREAM' | 'TABLE', asSelect: /\bAS\s+SELECT\b/i.test(rest) };
}

/** A statement reduced to what matters for equality: single spaces, none around punctuation, no closing `;`. */
export function normaliseStatement(statement: string): string {
  return statement
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),;=<>])\s*/g, '$1')
    .trim()
    .replace(/;$/, '');
}

/** Whether a statement reads data back (a push or pull query, or PRINT), for /query-stream rather than /ksql. */
export function isQuery(statement: string): boolean {
  return /^\s*(SELECT|PRINT)\b/i.test(statement);
}
