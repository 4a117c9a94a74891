/**
 * SQL text as a person writes it in a file or on a command line, split into statements the way ksqlDB's and Flink's
 * lexers read it: `-- text` comments to the end of the line, `/* … *\/` comments, '…' strings with '' inside, `…` and
 * "…" quoted names; a statement ends at a `;` outside them.
 */
import { UsageError } from '#core/errors.js';

export interface SqlStatementText {
  /** The statement as written (comments removed), ending with `;`. */
  text: string;
  /** Line of the file where it starts (1-based). */
  line: number;
}

/** Splits text into statements; a statement without its closing `;` is a usage error naming its line. */
export function splitSql(text: string, where: string, engine: string): SqlStatementText[] {
  const statements: SqlStatementText[] = [];
  let current = '';
  let startLine = 0;
  let line = 1;
  let i = 0;
  const push = (char: string) => {
    if (current.trim() === '' && char.trim() !== '') startLine = line;
    current += char;
  };
  while (i < text.length) {
    const char = text[i] as string;
    if (char === '\n') line++;
    if (char === '-' && text[i + 1] === '-') {
      // A comment runs to the end of its line; the newline itself stays, as a separator.
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (char === '/' && text[i + 1] === '*') {
      // A block comment counts as a space.
      const close = text.indexOf('*/', i + 2);
      const stop = close < 0 ? text.length : close + 2;
      for (const c of text.slice(i + 2, stop)) if (c === '\n') line++;
      push(' ');
      i = stop;
      continue;
    }
    if (char === "'" || char === '`' || char === '"') {
      const quote = char;
      push(char);
      i++;
      while (i < text.length) {
        const c = text[i] as string;
        if (c === '\n') line++;
        push(c);
        i++;
        if (c === quote) {
          if (text[i] === quote) {
            push(quote);
            i++;
            continue;
          }
          break;
        }
      }
      continue;
    }
    if (char === ';') {
      const statement = `${current.trim()};`;
      current = '';
      i++;
      if (statement !== ';') statements.push({ text: statement, line: startLine });
      continue;
    }
    push(char);
    i++;
  }
  if (current.trim() !== '') {
    throw new UsageError(
      `${where}: the statement starting on line ${startLine} does not end with ";" (${current.trim().slice(0, 60)})`,
      `${engine} runs a statement only once it ends with a semicolon: add ";" at its end`,
    );
  }
  return statements;
}
