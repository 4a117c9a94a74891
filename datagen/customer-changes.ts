/**
 * `datagen customers --changes`: keeps changing demo.CUSTOMERS, as customers' lives do, so change data capture has
 * something to capture: club statuses go up and down, emails and comments change, and now and then a new customer
 * signs up. Each change is one statement through mysql2; the same SQL runs on MySQL 8.4 and MariaDB.
 */
import mysql from 'mysql2/promise';
import type { DatabaseFlavour } from '#core/config.js';
import { EnvironmentError, TimeoutError } from '#core/errors.js';
import { NotYet, waitFor } from '#core/wait.js';
import {
  type ClubStatus,
  type Customer,
  clubStatuses,
  makeCustomer,
  newComment,
  newCustomerFaker,
  newEmail,
  reservedProbeIds,
} from './customers.js';
import { Pacer, type PacerClock, type StopReason } from './pacer.js';

export interface DatabaseEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  flavour?: DatabaseFlavour;
}

export type CustomerChange =
  | {
      kind: 'update';
      id: number;
      name: string;
      column: 'club_status' | 'email' | 'comments';
      from: string;
      to: string;
    }
  | { kind: 'insert'; customer: Customer };

export interface ChangesOptions {
  database: DatabaseEndpoint;
  /** Changes per second. */
  rate: number;
  count?: number;
  durationMs?: number;
  seed?: number;
  startupTimeoutMs?: number;
  clock?: PacerClock;
  onChange?: (change: CustomerChange) => void;
}

export interface ChangesSummary {
  updates: number;
  inserts: number;
  stoppedBy: StopReason;
}

type Row = Pick<Customer, 'id' | 'first_name' | 'last_name' | 'email' | 'club_status' | 'comments'>;

const changeWeights = [
  { value: 'club_status', weight: 5 },
  { value: 'email', weight: 2 },
  { value: 'comments', weight: 2 },
  { value: 'insert', weight: 1 },
] as const;

/** Errors that say the settings are wrong, not that the server is still starting: no point waiting. */
const settingErrors = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR']);

export function describeEndpoint(db: DatabaseEndpoint): string {
  return `${db.flavour === 'mariadb' ? 'MariaDB' : 'MySQL'} at ${db.host}:${db.port}`;
}

async function connect(db: DatabaseEndpoint, timeoutMs: number): Promise<mysql.Connection> {
  const where = describeEndpoint(db);
  try {
    return await waitFor({
      what: `${where} to accept a connection`,
      timeoutMs,
      intervalMs: 500,
      probe: async () => {
        try {
          const { host, port, user, password, database } = db;
          return await mysql.createConnection({ host, port, user, password, database, connectTimeout: 3_000 });
        } catch (error) {
          const { code, message } = error as { code?: string; message: string };
          if (code && settingErrors.has(code)) {
            throw new EnvironmentError(
              `${where} refused the connection: ${message}`,
              'check WORKSHOP_MYSQL_USER, WORKSHOP_MYSQL_PASSWORD and WORKSHOP_MYSQL_DATABASE (the README lists their defaults)',
            );
          }
          return new NotYet(code ?? message);
        }
      },
    });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    throw new EnvironmentError(
      `${where} did not accept a connection within ${Math.round(timeoutMs / 1000)} s (${(error as Error).message.replace(/^.*last seen: /, '')})`,
      'start the platform with npm run up (npm run status shows it), or point WORKSHOP_MYSQL_HOST and WORKSHOP_MYSQL_PORT at your database',
    );
  }
}

/** The customers to change: every row but the checks' probe rows, which belong to the check that made them. */
async function loadCustomers(connection: mysql.Connection, db: DatabaseEndpoint): Promise<Row[]> {
  try {
    const [rows] = await connection.query(
      'SELECT id, first_name, last_name, email, club_status, comments FROM CUSTOMERS WHERE id < ? OR id >= ? ORDER BY id',
      [reservedProbeIds.from, reservedProbeIds.to],
    );
    return rows as Row[];
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_NO_SUCH_TABLE') {
      throw new EnvironmentError(
        `${describeEndpoint(db)} has no table ${db.database}.CUSTOMERS`,
        'the platform creates it at first start from docker/mysql/initdb/20-customers.sql; npm run down -- --volumes, then npm run up, starts MySQL afresh',
      );
    }
    throw error;
  }
}

export interface ChangesRun {
  done: Promise<ChangesSummary>;
  stop(): void;
}

export function startCustomerChanges(options: ChangesOptions): ChangesRun {
  const pacer = new Pacer({
    rate: options.rate,
    count: options.count,
    durationMs: options.durationMs,
    clock: options.clock,
  });
  const done = (async (): Promise<ChangesSummary> => {
    const faker = newCustomerFaker(options.seed ?? Math.floor(Math.random() * 2 ** 32));
    const connection = await connect(options.database, options.startupTimeoutMs ?? 10_000);
    const summary = { updates: 0, inserts: 0 };
    try {
      const customers = await loadCustomers(connection, options.database);
      while (await pacer.next(1)) {
        const kind = customers.length === 0 ? 'insert' : faker.helpers.weightedArrayElement(changeWeights);
        let change: CustomerChange;
        try {
          change =
            kind === 'insert'
              ? await insertCustomer(connection, faker, customers)
              : await updateCustomer(connection, faker, faker.helpers.arrayElement(customers), kind);
        } catch (error) {
          throw new EnvironmentError(
            `${describeEndpoint(options.database)} failed a change after ${summary.updates + summary.inserts} changes: ${(error as Error).message}`,
            'check that the database is up (npm run status), then run the command again',
          );
        }
        if (change.kind === 'insert') summary.inserts += 1;
        else summary.updates += 1;
        options.onChange?.(change);
      }
    } finally {
      await connection.end().catch(() => undefined);
    }
    return { ...summary, stoppedBy: pacer.stopReason ?? 'count' };
  })();
  return { done, stop: () => pacer.stop() };
}

async function updateCustomer(
  connection: mysql.Connection,
  faker: ReturnType<typeof newCustomerFaker>,
  customer: Row,
  column: 'club_status' | 'email' | 'comments',
): Promise<CustomerChange> {
  const from = customer[column];
  let to: string = from;
  // Draw until the value differs, so every change is a real change (a few draws at most).
  for (let attempt = 0; to === from && attempt < 10; attempt++) {
    if (column === 'club_status') to = faker.helpers.arrayElement(clubStatuses.filter((s) => s !== from));
    else if (column === 'email') to = newEmail(faker, customer.first_name, customer.last_name);
    else to = newComment(faker);
  }
  // The column name comes from the fixed list above, never from input.
  await connection.execute(`UPDATE CUSTOMERS SET ${column} = ? WHERE id = ?`, [to, customer.id]);
  if (column === 'club_status') customer.club_status = to as ClubStatus;
  else customer[column] = to;
  return { kind: 'update', id: customer.id, name: `${customer.first_name} ${customer.last_name}`, column, from, to };
}

/**
 * The table has no AUTO_INCREMENT (ids are the ratings' user ids): a new customer's id is one above the highest below
 * the checks' reserved probe ids, so a probe row present at the time never pushes customers into (or past) that range.
 */
export async function nextCustomerId(connection: Pick<mysql.Connection, 'query'>): Promise<number> {
  const [[highest]] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT COALESCE(MAX(id), 0) AS id FROM CUSTOMERS WHERE id < ?',
    [reservedProbeIds.from],
  );
  const next = Number(highest?.id ?? 0) + 1;
  if (next >= reservedProbeIds.from) {
    throw new Error(`no customer id is left below ${reservedProbeIds.from}, the ids reserved for the checks' probes`);
  }
  return next;
}

async function insertCustomer(
  connection: mysql.Connection,
  faker: ReturnType<typeof newCustomerFaker>,
  customers: Row[],
): Promise<CustomerChange> {
  const customer = makeCustomer(faker, await nextCustomerId(connection), faker.helpers.arrayElement(clubStatuses));
  await connection.execute(
    'INSERT INTO CUSTOMERS (id, first_name, last_name, email, gender, club_status, comments) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [
      customer.id,
      customer.first_name,
      customer.last_name,
      customer.email,
      customer.gender,
      customer.club_status,
      customer.comments,
    ],
  );
  customers.push(customer);
  return { kind: 'insert', customer };
}

export function describeChange(change: CustomerChange): string {
  if (change.kind === 'insert') {
    const c = change.customer;
    return `new customer ${c.id} ${c.first_name} ${c.last_name}: ${c.club_status}, ${c.email}`;
  }
  return `customer ${change.id} ${change.name}: ${change.column} ${change.from} → ${change.to}`;
}
