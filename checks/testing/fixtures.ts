/** Shared set-up for the checks' integration tests: the kit's configuration for the local stack, and its data. */
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { loadConfig, type WorkshopConfig } from '../../workshop/config.js';
import { type LocalStackEndpoints, workshopEnv } from '../../workshop/stack/local-stack.js';
import type { StackHandle } from '../../workshop/testing/stack-context.js';
import { systemClock } from '../../workshop/wait.js';
import type { CheckContext } from '../kind.js';
import { Services } from '../services.js';

export function stackConfig(stack: StackHandle): WorkshopConfig {
  return loadConfig(workshopEnv(stack));
}

export function checkContext(stack: StackHandle, passive = false): CheckContext {
  const config = stackConfig(stack);
  return { config, services: new Services(config), passive, clock: systemClock };
}

const initDb = new URL('../../docker/mysql/initdb/', import.meta.url);

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
