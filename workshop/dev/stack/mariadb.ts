/**
 * A MariaDB server of its own (data directory, port and socket), with the binary log Debezium reads: row format, full
 * row images, a server id. Users are created as the learners' MySQL has them: the kit's user and the connector's.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import type { ServerProcess } from '#core/process.js';
import { type ManagedServer, startServer } from './managed-server.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

export interface DatabaseUser {
  user: string;
  password: string;
}

export interface MariaDbServer {
  server: ManagedServer;
  host: string;
  port: number;
  database: string;
  /** The kit's user: all privileges on the workshop database. */
  app: DatabaseUser;
  /** Debezium's user: exactly the grants the connector needs. */
  connector: DatabaseUser;
  serverId: number;
}

export interface MariaDbOptions {
  mariadbd: string;
  mariadbInstallDb: string;
  dir: string;
  database?: string;
  timeoutMs?: number;
  onLaunch?: (process: ServerProcess) => void;
}

/** Step 14's warehouse database and the user its sink connector writes as (docker/mysql/initdb has the same). */
export const warehouseDatabase = { database: 'warehouse', user: 'warehouse', password: 'warehouse' } as const;

/** The connector user's grants, as Debezium's MySQL and MariaDB connectors document them. */
export const connectorGrants = 'SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT';

export async function startMariaDb(options: MariaDbOptions): Promise<MariaDbServer> {
  const port = await freePort();
  const dir = options.dir;
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const logPath = path.join(dir, 'mariadb.log');
  // mariadbd refuses to run as root unless told explicitly which user to be.
  const osUser = process.getuid?.() === 0 ? 'root' : undefined;
  try {
    await run(
      options.mariadbInstallDb,
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...(osUser ? [`--user=${osUser}`] : []),
      ],
      { timeout: 120_000 },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`mariadb-install-db could not initialise ${dataDir}:\n${stdout}${stderr}`);
  }
  const serverId = 184054;
  const host = '127.0.0.1';
  const database = options.database ?? 'demo';
  const app = { user: 'workshop', password: 'workshop' };
  const connector = { user: 'debezium', password: 'dbz' };
  const warehouse = warehouseDatabase;
  const server = await startServer({
    name: 'MariaDB',
    launch: {
      command: options.mariadbd,
      args: [
        '--no-defaults',
        `--datadir=${dataDir}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${path.join(dir, 'mariadb.sock')}`,
        `--pid-file=${path.join(dir, 'mariadb.pid')}`,
        `--log-error=${logPath}`,
        '--log-bin=binlog',
        '--binlog-format=ROW',
        '--binlog-row-image=FULL',
        `--server-id=${serverId}`,
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=64M',
        ...(osUser ? [`--user=${osUser}`] : []),
      ],
      // --log-error and the process's own output go to the same file.
      logPath,
    },
    // Ready when the server accepts a connection and answers a query.
    ready: {
      what: `MariaDB at ${host}:${port} to accept a query`,
      intervalMs: 200,
      probe: async () => {
        const connection = await mysql.createConnection({ host, port, user: 'root', connectTimeout: 1_000 });
        try {
          await connection.query('SELECT 1');
          return true;
        } finally {
          await connection.end().catch(() => undefined);
        }
      },
    },
    timeoutMs: options.timeoutMs ?? 60_000,
    onLaunch: options.onLaunch,
  });
  const root = await mysql.createConnection({ host, port, user: 'root', connectTimeout: 5_000 });
  try {
    for (const statement of [
      `CREATE DATABASE IF NOT EXISTS \`${database}\``,
      `CREATE USER '${app.user}'@'%' IDENTIFIED BY '${app.password}'`,
      `GRANT ALL PRIVILEGES ON \`${database}\`.* TO '${app.user}'@'%'`,
      `CREATE USER '${connector.user}'@'%' IDENTIFIED BY '${connector.password}'`,
      `GRANT ${connectorGrants} ON *.* TO '${connector.user}'@'%'`,
      // Step 14's warehouse: Debezium's JDBC sink writes it as its own user; the kit reads and resets it.
      `CREATE DATABASE IF NOT EXISTS \`${warehouse.database}\``,
      `CREATE USER '${warehouse.user}'@'%' IDENTIFIED BY '${warehouse.password}'`,
      `GRANT ALL PRIVILEGES ON \`${warehouse.database}\`.* TO '${warehouse.user}'@'%'`,
      `GRANT ALL PRIVILEGES ON \`${warehouse.database}\`.* TO '${app.user}'@'%'`,
    ]) {
      await root.query(statement);
    }
  } finally {
    await root.end();
  }
  return { server, host, port, database, app, connector, serverId };
}
