/**
 * The resources of a step about schemas: Schema Registry subjects (their compatibility levels set by solve, the
 * subjects deleted by reset, soft then hard, as the registry requires), and SQL statements for the workshop
 * database (a column added by solve, dropped by reset).
 */
import { readFileSync } from 'node:fs';
import { registryMessage, subjectMissingCodes, subjectVersions } from '#checks/clients/schema-registry-look.js';
import { type Services, ServiceUnavailable } from '#checks/clients/services.js';
import type { Resource } from '#checks/course.js';
import { WorkshopError } from '#core/errors.js';
import { NotYet, waitFor } from '#core/wait.js';
import type { Removal } from './index.js';

type RegistryResource = Extract<Resource, { kind: 'schema-registry' }>;
type MysqlResource = Extract<Resource, { kind: 'mysql' }>;

const errorCode = (body: unknown) => (body as { error_code?: number } | undefined)?.error_code;

/** Sets each compatibility level the step gives, unless it is already so. */
export async function applySchemaRegistry(services: Services, resource: RegistryResource): Promise<string[]> {
  const done: string[] = [];
  for (const [subject, level] of Object.entries(resource.compatibility)) {
    const path = `/config/${encodeURIComponent(subject)}`;
    const now = await services.schemaRegistry<{ compatibilityLevel?: string }>(path);
    if (now.status === 200 && now.body?.compatibilityLevel === level) {
      done.push(`Schema Registry subject "${subject}": compatibility already ${level}, left unchanged`);
      continue;
    }
    const put = await services.schemaRegistry(path, { method: 'PUT', body: { compatibility: level } });
    if (put.status !== 200) {
      throw new WorkshopError(
        `the Schema Registry refused compatibility ${level} for "${subject}": ${registryMessage(put.body, put.status)}`,
        'the levels are NONE, BACKWARD, FORWARD, FULL and their _TRANSITIVE forms',
      );
    }
    done.push(`Schema Registry subject "${subject}": compatibility set to ${level}`);
  }
  return done;
}

/**
 * Deletes each subject: first soft (its versions are hidden but kept), then hard (gone, its name free for a new
 * first version), as the registry allows a hard delete only after a soft one. Then the subject's own level.
 */
export async function removeSchemaRegistry(services: Services, resource: RegistryResource): Promise<Removal[]> {
  const done: Removal[] = [];
  const { subjects } = resource;
  try {
    for (const subject of subjects) {
      const path = `/subjects/${encodeURIComponent(subject)}`;
      const soft = await services.schemaRegistry<number[]>(path, { method: 'DELETE' });
      if (soft.status >= 500) {
        // The registry's own trouble (its Kafka store still starting): nothing deleted, nothing lost.
        done.push({
          warning: `the Schema Registry answered ${registryMessage(soft.body, soft.status)}: subject "${subject}" was not deleted`,
          again: 'once npm run status shows it healthy',
        });
        continue;
      }
      const softCode = errorCode(soft.body);
      if (soft.status !== 200 && !(soft.status === 404 && subjectMissingCodes.includes(softCode ?? 0))) {
        throw new WorkshopError(
          `the Schema Registry did not delete subject "${subject}": ${registryMessage(soft.body, soft.status)}`,
        );
      }
      // 40401 after a soft delete: nothing was there, or ksqlDB's DROP … DELETE TOPIC already removed it for good.
      const hard = await services.schemaRegistry<number[]>(`${path}?permanent=true`, { method: 'DELETE' });
      if (hard.status === 200) {
        done.push(
          `Schema Registry subject "${subject}" deleted (soft, then hard: ${Array.isArray(hard.body) ? hard.body.length : '?'} version(s))`,
        );
      } else if (!(hard.status === 404 && errorCode(hard.body) === 40401)) {
        throw new WorkshopError(
          `the Schema Registry did not delete subject "${subject}" for good: ${registryMessage(hard.body, hard.status)}`,
        );
      }
      if (subject in resource.compatibility) {
        const config = await services.schemaRegistry(`/config/${encodeURIComponent(subject)}`, { method: 'DELETE' });
        if (config.status === 200) done.push(`Schema Registry subject "${subject}": its compatibility level removed`);
      }
    }
  } catch (error) {
    // No registry, no subjects: a stack without one (or a registry that is down) has nothing to delete there.
    if (!(error instanceof ServiceUnavailable)) throw error;
    done.push({
      warning: `${error.message}: its subjects (${subjects.join(', ')}) were not deleted`,
      again: 'if a registry runs later',
    });
  }
  return done;
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
  shown: string,
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
        throw Object.assign(error as Error, { message: `${shown}: ${(error as Error).message}` });
      }
    }
  });
  return done;
}

export async function applyMysql(
  services: Services,
  resource: MysqlResource,
  shown: (file: string) => string,
): Promise<string[]> {
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

export async function removeMysql(
  services: Services,
  resource: MysqlResource,
  shown: (file: string) => string,
): Promise<Removal[]> {
  try {
    return await runSqlFile(services, resource.undo, shown(resource.undo), { quietWhenDone: true });
  } catch (error) {
    // MySQL down must not stop the rest of a reset: the change stays, and reset says so.
    if (!(error instanceof ServiceUnavailable)) throw error;
    return [
      {
        warning: `${error.message}: ${shown(resource.undo)} was not run`,
        again: 'once npm run status shows MySQL healthy',
      },
    ];
  }
}
