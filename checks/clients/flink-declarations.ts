/**
 * What a learner declared in Flink SQL, kept by the kit between commands. Flink's SQL Gateway keeps tables, views and
 * SET options in a session, and a session ends with the command that opened it (or with the gateway). A catalog that
 * persists (Hive's metastore, a JDBC catalog) would be one more server on every laptop; instead the kit keeps each
 * declaration as Flink itself states it (SHOW CREATE TABLE / VIEW, so a CREATE TABLE … AS SELECT is kept as the table
 * it made, not as a second job) in the kit's state folder, and replays them, in order, into every new session. They
 * survive restarts of the kit and of the gateway, `reset` forgets them, and the learner can read the file.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '#core/errors.js';
import { shownPath, stateDir } from '#core/state-dir.js';
import { FlinkSqlSession, FlinkStatementError } from './flink-sql.js';
import type { Services } from './services.js';

export interface FlinkDeclaration {
  kind: 'TABLE' | 'VIEW';
  /** The object's name as written, without catalog, database or back-quotes. */
  name: string;
  /** Flink's own statement of it (SHOW CREATE …). */
  ddl: string;
}

export interface FlinkDeclarations {
  /** SET options in force: the same for every statement, as in one SQL client session. */
  settings: Record<string, string>;
  /** In the order declared: a view after what it reads. */
  objects: FlinkDeclaration[];
}

export function declarationsPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'flink', 'declarations.json');
}

export function readDeclarations(file = declarationsPath()): FlinkDeclarations {
  if (!existsSync(file)) return { settings: {}, objects: [] };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<FlinkDeclarations>;
    if (typeof parsed.settings !== 'object' || !Array.isArray(parsed.objects)) throw new Error('not the kit’s shape');
    return { settings: parsed.settings ?? {}, objects: parsed.objects };
  } catch (error) {
    throw new EnvironmentError(
      `${file}, where the kit keeps your Flink tables between commands, cannot be read (${(error as Error).message})`,
      `move it aside and declare your tables again (npm run solve step-N declares a step's), or fix its JSON`,
    );
  }
}

export function writeDeclarations(declarations: FlinkDeclarations, file = declarationsPath()): void {
  mkdirSync(path.dirname(file), { recursive: true });
  // Written aside, then renamed: a command stopped halfway never leaves half a file.
  writeFileSync(`${file}.next`, `${JSON.stringify(declarations, null, 2)}\n`);
  renameSync(`${file}.next`, file);
}

/** What a statement changes in the declarations, if anything. */
export type DeclarationChange =
  | { change: 'create'; kind: 'TABLE' | 'VIEW'; name: string; path: string }
  | { change: 'drop'; kind: 'TABLE' | 'VIEW'; name: string }
  | { change: 'alter'; kind: 'TABLE' | 'VIEW'; name: string; path: string }
  | { change: 'set'; key: string; value: string }
  | { change: 'reset'; key?: string };

const identifier = '(?:`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_$]*)';
const objectPath = `(${identifier}(?:\\s*\\.\\s*${identifier}){0,2})`;
const createPattern = new RegExp(
  `^CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:TEMPORARY\\s+)?(TABLE|VIEW)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${objectPath}`,
  'i',
);
const dropPattern = new RegExp(`^DROP\\s+(?:TEMPORARY\\s+)?(TABLE|VIEW)\\s+(?:IF\\s+EXISTS\\s+)?${objectPath}`, 'i');
const alterPattern = new RegExp(`^ALTER\\s+(TABLE|VIEW)\\s+(?:IF\\s+EXISTS\\s+)?${objectPath}`, 'i');
const renamePattern = new RegExp(`\\bRENAME\\s+TO\\s+${objectPath}\\s*;?\\s*$`, 'i');

/** The last part of a dotted path, back-quotes removed: the object's own name. */
export function objectName(dotted: string): string {
  const parts = dotted.match(new RegExp(identifier, 'g')) ?? [dotted];
  const last = parts[parts.length - 1] as string;
  return last.startsWith('`') ? last.slice(1, -1).replaceAll('``', '`') : last;
}

export function declarationChange(statement: string): DeclarationChange | undefined {
  const text = statement.trim();
  const create = createPattern.exec(text);
  if (create) {
    const kind = (create[1] as string).toUpperCase() as 'TABLE' | 'VIEW';
    return { change: 'create', kind, name: objectName(create[2] as string), path: create[2] as string };
  }
  const drop = dropPattern.exec(text);
  if (drop) {
    return {
      change: 'drop',
      kind: (drop[1] as string).toUpperCase() as 'TABLE' | 'VIEW',
      name: objectName(drop[2] as string),
    };
  }
  const alter = alterPattern.exec(text);
  if (alter) {
    const kind = (alter[1] as string).toUpperCase() as 'TABLE' | 'VIEW';
    const renamed = renamePattern.exec(text);
    const after = renamed ? (renamed[1] as string) : (alter[2] as string);
    // A rename is the old name dropped and the new one declared.
    return { change: 'alter', kind, name: objectName(alter[2] as string), path: after };
  }
  const set = /^SET\s+'([^']+)'\s*=\s*'((?:[^']|'')*)'\s*;?$/i.exec(text);
  if (set) return { change: 'set', key: set[1] as string, value: (set[2] as string).replaceAll("''", "'") };
  const reset = /^RESET(?:\s+'([^']+)')?\s*;?$/i.exec(text);
  if (reset) return reset[1] ? { change: 'reset', key: reset[1] } : { change: 'reset' };
  return undefined;
}

const quoted = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** A session with the learner's declarations in it; what could not be replayed is told, not lost. */
export async function openDeclaredSession(
  services: Services,
  options: { file?: string; onWarning?: (message: string) => void } = {},
): Promise<FlinkSqlSession> {
  const declarations = readDeclarations(options.file);
  const session = await FlinkSqlSession.open(services);
  try {
    for (const [key, value] of Object.entries(declarations.settings)) {
      await session.run(`SET ${quoted(key)} = ${quoted(value)}`);
    }
    for (const object of declarations.objects) {
      try {
        await session.run(object.ddl);
      } catch (error) {
        if (!(error instanceof FlinkStatementError)) throw error;
        options.onWarning?.(
          `your ${object.kind.toLowerCase()} ${object.name}, kept by the kit, could not be declared again: ${error.flinkMessage}`,
        );
      }
    }
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}

/**
 * Keeps what a statement that succeeded in `session` declared, changed or dropped. Returns a sentence for the
 * learner, or undefined when the statement declared nothing.
 */
export async function rememberDeclaration(
  session: FlinkSqlSession,
  statement: string,
  file = declarationsPath(),
): Promise<string | undefined> {
  const change = declarationChange(statement);
  if (!change) return undefined;
  const declarations = readDeclarations(file);
  const without = (name: string) => declarations.objects.filter((o) => o.name !== name);
  switch (change.change) {
    case 'set':
      declarations.settings[change.key] = change.value;
      break;
    case 'reset':
      if (change.key) delete declarations.settings[change.key];
      else declarations.settings = {};
      break;
    case 'drop':
      declarations.objects = without(change.name);
      break;
    case 'create':
    case 'alter': {
      const ddl = await showCreate(session, change.kind, change.path);
      const entry = { kind: change.kind, name: objectName(change.path), ddl };
      const at = declarations.objects.findIndex((o) => o.name === change.name);
      // An altered object keeps its place (views declared after it read it); a new one goes last.
      if (change.change === 'alter' && at >= 0) declarations.objects[at] = entry;
      else declarations.objects = [...without(change.name), entry];
      break;
    }
  }
  writeDeclarations(declarations, file);
  const what = 'kind' in change ? `${change.kind.toLowerCase()} ${change.name}` : 'the setting';
  return change.change === 'drop'
    ? `${what} forgotten`
    : `${what} kept: the kit declares it again in every npm run flink (${shownPath(file)})`;
}

async function showCreate(session: FlinkSqlSession, kind: 'TABLE' | 'VIEW', objectPath: string): Promise<string> {
  const { rows } = await session.run(`SHOW CREATE ${kind} ${objectPath}`);
  const ddl = rows[0]?.fields[0];
  if (typeof ddl !== 'string' || ddl.trim() === '') {
    throw new EnvironmentError(`Flink's SHOW CREATE ${kind} ${objectPath} gave no statement to keep`);
  }
  return ddl.trim();
}
