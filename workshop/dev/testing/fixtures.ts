/** Shared set-up for the checks' integration tests: the kit's configuration for the local stack, and its data. */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import mysql from 'mysql2/promise';
import { Services } from '#checks/clients/services.js';
import type { CheckContext } from '#checks/kind.js';
import { loadConfig, type WorkshopConfig } from '#core/config.js';
import { repoPath } from '#core/state-dir.js';
import { systemClock } from '#core/wait.js';
import { type LocalStackEndpoints, workshopEnv } from '#workshop/dev/stack/local-stack.js';
import type { StackHandle } from './stack-context.js';

export function stackConfig(stack: StackHandle): WorkshopConfig {
  return loadConfig(workshopEnv(stack));
}

export function checkContext(stack: StackHandle, passive = false): CheckContext {
  const config = stackConfig(stack);
  return { config, services: new Services(config), passive, clock: systemClock };
}

const initDb = pathToFileURL(repoPath('docker/mysql/initdb/'));

/**
 * The learners' CUSTOMERS table with its seed rows, from the same file the compose stack's MySQL runs at first start
 * (users aside: the local stack creates the same ones itself).
 */
export async function loadCustomers(stack: Pick<LocalStackEndpoints, 'mariadb'>): Promise<void> {
  const seed = readFileSync(new URL('20-customers.sql', initDb), 'utf8');
  const { host, port, user, password, database } = stack.mariadb;
  const db = await mysql.createConnection({ host, port, user, password, database, multipleStatements: true });
  try {
    await db.query('DROP TABLE IF EXISTS CUSTOMERS');
    await db.query(seed);
  } finally {
    await db.end();
  }
}
