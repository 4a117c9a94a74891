/**
 * SQL statements for the workshop database, run in order by solve (after a Schema Registry subject is registered,
 * when the step says so: a change meant to make a new schema version must come after the first); the undo file's
 * run by reset.
 */
import { readFileSync } from 'node:fs';
import { subjectVersions } from '#checks/clients/schema-registry-look.js';
import type { Services } from '#checks/clients/services.js';
import { NotYet, waitFor } from '#core/wait.js';
import { type Removal, type ResourceKind, shown, stepFile } from './resource.js';

export interface MysqlResource {
  kind: 'mysql';
  file: string;
  undo: string;
  afterSubject?: string;
}

/** The statements of an SQL file: `--` comments dropped, split at each `;` that ends a line. */
export function sqlStatements(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !/^\s*--/.test(line))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** MySQL's answers that mean the change is already made: a column already there, or already gone. */
const alreadyDone: Record<string, string> = {
  ER_DUP_FIELDNAME: 'already there',
  ER_CANT_DROP_FIELD_OR_KEY: 'already gone',
};

async function runSqlFile(
  services: Services,
  file: string,
  shownAs: string,
  { quietWhenDone = false } = {},
): Promise<string[]> {
  const statements = sqlStatements(readFileSync(file, 'utf8'));
  const done: string[] = [];
  await services.withMysql(async (db) => {
    for (const statement of statements) {
      const headline = statement.split('\n')[0]?.slice(0, 80);
      try {
        const [result] = await services.query(db, statement);
        const rows = (result as { affectedRows?: number }).affectedRows;
        done.push(
          `MySQL: ${headline}${rows !== undefined && /^\s*(UPDATE|INSERT|DELETE)/i.test(statement) ? ` (${rows} row(s))` : ''}`,
        );
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        if (code in alreadyDone) {
          // For reset, a change already undone is nothing removed.
          if (!quietWhenDone) done.push(`MySQL: ${headline}: ${alreadyDone[code]}, left unchanged`);
          continue;
        }
        throw Object.assign(error as Error, { message: `${shownAs}: ${(error as Error).message}` });
      }
    }
  });
  return done;
}

export async function applyMysql(services: Services, resource: MysqlResource): Promise<string[]> {
  const done: string[] = [];
  const subject = resource.afterSubject;
  if (subject) {
    await waitFor({
      what: `Schema Registry subject "${subject}" to be registered (before ${shown(resource.file)} changes the table)`,
      timeoutMs: 60_000,
      intervalMs: 250,
      probe: async () => {
        const versions = await subjectVersions(services, subject);
        return 'versions' in versions ? true : new NotYet(versions.missing);
      },
    });
    done.push(`Schema Registry subject "${subject}" is registered`);
  }
  return [...done, ...(await runSqlFile(services, resource.file, shown(resource.file)))];
}

/** Runs the undo file; a MySQL that cannot be reached stops here, and reset names what it left. */
export async function removeMysql(services: Services, resource: MysqlResource): Promise<Removal[]> {
  return runSqlFile(services, resource.undo, shown(resource.undo), { quietWhenDone: true });
}

export const mysqlResource: ResourceKind<MysqlResource> = {
  kind: 'mysql',
  fields: ['file', 'undo', 'afterSubject'],
  parse: (params, where, folder) => ({
    file: stepFile(params, 'file', where, folder),
    undo: stepFile(params, 'undo', where, folder),
    afterSubject: params.optionalString('afterSubject'),
  }),
  describe: (resource) => `the change of ${shown(resource.file)}, undone by ${shown(resource.undo)}`,
  apply: applyMysql,
  remove: removeMysql,
};
