import { Services } from '#checks/clients/services.js';
import { sqlStatements } from '#checks/resources/mysql.js';
import type { CommandLine } from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { ExitCode, UsageError, WorkshopError } from '#core/errors.js';
import { formatTable } from '#core/output.js';
import { readSqlInput } from './sql-input.js';

interface Change {
  affectedRows: number;
  changedRows?: number;
  info?: string;
}

/** A cell as MySQL's own client prints it: NULL for null, dates as text. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  // mysql2 reads DATETIME and TIMESTAMP as local time: the local fields give back the text MySQL sent.
  if (value instanceof Date) {
    const two = (n: number) => String(n).padStart(2, '0');
    return `${value.getFullYear()}-${two(value.getMonth() + 1)}-${two(value.getDate())} ${two(value.getHours())}:${two(value.getMinutes())}:${two(value.getSeconds())}`;
  }
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

/** What one statement's answer says, for the terminal. */
export function describeAnswer(statement: string, answer: unknown, fields: { name: string }[] | undefined): string {
  if (Array.isArray(answer)) {
    const header = (fields ?? []).map((f) => f.name);
    const rows = (answer as Record<string, unknown>[]).map((row) => header.map((name) => cell(row[name])));
    return `${formatTable(rows, { header, rule: true })}\n(${rows.length} row${rows.length === 1 ? '' : 's'})`;
  }
  const change = answer as Change;
  if (/^\s*UPDATE\b/i.test(statement) && change.changedRows !== undefined) {
    const line = `${change.affectedRows} row(s) matched, ${change.changedRows} changed`;
    // The case that makes a change-data-capture demo wait for ever: MySQL writes no change to its binary log.
    return change.affectedRows > 0 && change.changedRows === 0
      ? `${line}: the rows already hold these values, so MySQL logs no change and Debezium sends nothing`
      : line;
  }
  return `${change.affectedRows} row(s) affected`;
}

export async function mysqlCommand({
  values,
  positionals,
  usageError,
}: CommandLine<{ file?: string }>): Promise<number> {
  const { text } = readSqlInput(
    { values, positionals, usageError },
    { what: 'SQL', example: 'npm run mysql -- "SELECT id, club_status FROM CUSTOMERS"' },
  );
  const statements = sqlStatements(text);
  if (statements.length === 0) throw new UsageError(`${values.file ?? 'the SQL'} holds no statement`);
  const services = new Services(loadConfig());
  const { database } = services.config.mysql;
  // A statement MySQL refuses is the learner's to fix (exit 1); it is carried out of withMysql, which would call any
  // database error the platform's.
  const refused = await services.withMysql(async (db) => {
    for (const statement of statements) {
      if (statements.length > 1) process.stdout.write(`\n> ${statement.split('\n')[0]?.slice(0, 120)}\n`);
      try {
        const [answer, fields] = await services.query(db, statement);
        process.stdout.write(`${describeAnswer(statement, answer, fields as { name: string }[] | undefined)}\n`);
      } catch (error) {
        const { code, sqlMessage } = error as { code?: string; sqlMessage?: string };
        if (!sqlMessage) throw error;
        return new WorkshopError(
          `MySQL (database ${database}) refused ${JSON.stringify(statement.split('\n')[0]?.slice(0, 80))}: ${code}: ${sqlMessage}`,
          'fix the statement and run it again; the statements before it were run',
        );
      }
    }
    return undefined;
  });
  if (refused) throw refused;
  return ExitCode.ok;
}
