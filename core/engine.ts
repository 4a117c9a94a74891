/**
 * The stream-processing engine a room runs the pipeline on: ksqlDB (the talk's, and the default) or Apache Flink
 * SQL. Chosen once, by `npm run up -- --engine flink`, which the kit remembers in its state folder; WORKSHOP_ENGINE
 * overrides it for one shell. Every command that reads the steps reads the chosen engine's variant of each.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';
import { stateDir } from './state-dir.js';

export const engines = ['ksqldb', 'flink'] as const;
export type Engine = (typeof engines)[number];

export const defaultEngine: Engine = 'ksqldb';

/** How each engine is named to people. */
export const engineNames: Record<Engine, string> = { ksqldb: 'ksqlDB', flink: 'Flink SQL' };

export function isEngine(value: unknown): value is Engine {
  return typeof value === 'string' && (engines as readonly string[]).includes(value);
}

/** An engine as typed by a person ("Flink", "ksqlDB"), or a ConfigError that lists the choices. */
export function parseEngine(raw: string, where: string): Engine {
  const value = raw.trim().toLowerCase();
  if (isEngine(value)) return value;
  throw new ConfigError(
    `${where} is "${raw}", which is not an engine of the kit`,
    `use one of ${engines.join(', ')} (for example npm run up -- --engine flink)`,
  );
}

export function engineFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'engine');
}

/** The engine the room chose: WORKSHOP_ENGINE, else the one npm run up remembered, else ksqlDB. */
export function currentEngine(env: NodeJS.ProcessEnv = process.env): Engine {
  const variable = env.WORKSHOP_ENGINE;
  if (variable !== undefined && variable.trim() !== '') return parseEngine(variable, 'WORKSHOP_ENGINE');
  const file = engineFile(env);
  if (!existsSync(file)) return defaultEngine;
  return parseEngine(readFileSync(file, 'utf8'), `${file} (written by npm run up -- --engine)`);
}

/** Where the engine comes from, for npm run status: "WORKSHOP_ENGINE", "npm run up -- --engine", "the default". */
export function engineSource(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WORKSHOP_ENGINE !== undefined && env.WORKSHOP_ENGINE.trim() !== '') return 'WORKSHOP_ENGINE';
  return existsSync(engineFile(env)) ? 'chosen with npm run up -- --engine' : 'the default';
}

export function rememberEngine(engine: Engine, env: NodeJS.ProcessEnv = process.env): void {
  const file = engineFile(env);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${engine}\n`);
}
