/**
 * A MySQL table as the platform first loads it: reset puts its seed rows back (the guides change customers, and a
 * demo that sets a customer's club status changes nothing when the row already has it). Solve has nothing to make:
 * the platform loads the seed itself. Only the seed's columns and rows are touched; nothing else in MySQL is.
 */
import type { Services } from '#checks/clients/services.js';
import type { Removal, ResourceKind } from './resource.js';

export interface MysqlSeedResource {
  kind: 'mysql-seed';
  table: 'CUSTOMERS';
}

type Row = Record<string, unknown>;

/** The seed's rows and columns: the ones datagen writes into docker/mysql/initdb/20-customers.sql. */
async function seedOf(_table: MysqlSeedResource['table']): Promise<{ columns: string[]; rows: Row[] }> {
  // Loaded here: faker is only needed when reset restores the table.
  const customers = await import('#datagen/customers.js');
  return {
    columns: [...customers.customerColumns],
    rows: customers.makeCustomers() as unknown as Row[],
  };
}

/** "row id 1", "rows id 1, 4". */
function rowsWith(key: string, values: string[]): string {
  return `${values.length === 1 ? 'row' : 'rows'} ${key} ${values.join(', ')}`;
}

/** Puts back the seed rows that differ, and deletes rows the seed does not have. Says what it changed, or nothing. */
export async function restoreSeed(services: Services, resource: MysqlSeedResource): Promise<Removal[]> {
  const { columns, rows: seed } = await seedOf(resource.table);
  const [key] = columns as [string, ...string[]];
  const table = resource.table;
  const { database } = services.config.mysql;
  return services.withMysql(async (db) => {
    const [current] = await services.query(db, `SELECT ${columns.join(', ')} FROM ${table}`);
    const byKey = new Map((current as Row[]).map((row) => [String(row[key]), row]));
    const seedKeys = new Set(seed.map((row) => String(row[key])));
    const changed = seed.filter((row) => {
      const now = byKey.get(String(row[key]));
      return !now || columns.some((column) => String(now[column] ?? '') !== String(row[column] ?? ''));
    });
    const extra = [...byKey.keys()].filter((k) => !seedKeys.has(k));
    const done: Removal[] = [];
    if (changed.length > 0) {
      const updates = columns.filter((c) => c !== key).map((c) => `${c} = VALUES(${c})`);
      await services.query(
        db,
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${changed.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ')} ON DUPLICATE KEY UPDATE ${updates.join(', ')}`,
        changed.flatMap((row) => columns.map((c) => row[c])),
      );
      done.push(
        `MySQL: ${database}.${table} ${rowsWith(
          key,
          changed.map((row) => String(row[key])),
        )} back as seeded`,
      );
    }
    if (extra.length > 0) {
      await services.query(db, `DELETE FROM ${table} WHERE ${key} IN (?)`, [extra]);
      done.push(`MySQL: ${database}.${table} ${rowsWith(key, extra)} deleted (not in the seed)`);
    }
    return done;
  });
}

export const mysqlSeedResource: ResourceKind<MysqlSeedResource> = {
  kind: 'mysql-seed',
  fields: ['table'],
  parse: (params) => ({ table: params.oneOf('table', ['CUSTOMERS'] as const) }),
  describe: (resource) =>
    `MySQL's ${resource.table} table back to its seed rows (docker/mysql/initdb/20-customers.sql); nothing else in MySQL`,
  // The platform loads the seed when MySQL first starts: there is nothing for solve to make.
  apply: async () => [],
  remove: restoreSeed,
};
