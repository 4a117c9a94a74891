/**
 * A connector made from ksqlDB (`CREATE SINK CONNECTOR name WITH (…);` in a solution file): solve sends the statement
 * to ksqlDB, which creates the connector in Kafka Connect, its values fitted to this platform as a connector file's
 * are (connectorAdaptations); reset deletes the connector with its offsets and drops the table it wrote, if named.
 */
import { readFileSync } from 'node:fs';
import { KsqlClient, quoteIdentifier } from '#checks/clients/ksqldb.js';
import type { Services } from '#checks/clients/services.js';
import { splitStatements } from '#checks/ksql-file.js';
import { WorkshopError } from '#core/errors.js';
import { adaptConnectorConfig, connectorAdaptations, describeAdaptations, removeConnector } from './connector.js';
import { type ResourceKind, shown, stepFile } from './resource.js';

export interface KsqlConnector {
  type: 'SINK' | 'SOURCE';
  name: string;
  config: Record<string, string>;
}

/** A string literal of ksqlDB's (quotes doubled inside), or a bare number or word (`'tasks.max' = 1`). */
const literal = "'((?:[^']|'')*)'";
const value = String.raw`(?:${literal}|([\w.+-]+))`;

/** The connector a `CREATE SINK|SOURCE CONNECTOR` statement makes, or undefined when the text is not one. */
export function parseConnectorStatement(text: string): KsqlConnector | undefined {
  const head =
    /^\s*CREATE\s+(SINK|SOURCE)\s+CONNECTOR\s+(?:IF\s+NOT\s+EXISTS\s+)?(`(?:[^`]|``)+`|\w+)\s+WITH\s*\(([\s\S]*)\)\s*;?\s*$/i.exec(
      text,
    );
  if (!head) return undefined;
  const [, type = '', rawName = '', body = ''] = head;
  const name = rawName.startsWith('`') ? rawName.slice(1, -1).replaceAll('``', '`') : rawName.toUpperCase();
  const config: Record<string, string> = {};
  const pair = new RegExp(`\\s*${literal}\\s*=\\s*${value}\\s*(,|$)`, 'y');
  const rest = body.trim();
  while (pair.lastIndex < rest.length) {
    const at = pair.lastIndex;
    const match = pair.exec(rest);
    if (!match) throw new Error(`connector ${name}: cannot read its properties from "${rest.slice(at, at + 60)}"`);
    const [, key = '', quoted, bare, comma] = match;
    config[key.replaceAll("''", "'")] = quoted !== undefined ? quoted.replaceAll("''", "'") : (bare ?? '');
    if (comma === ',' && pair.lastIndex >= rest.length) {
      throw new Error(`connector ${name}: a comma after the last property, which ksqlDB refuses`);
    }
  }
  return { type: type.toUpperCase() as KsqlConnector['type'], name, config };
}

/** The one connector statement of a solution file. */
export function readKsqlConnectorFile(file: string): KsqlConnector {
  const statements = splitStatements(readFileSync(file, 'utf8'), shown(file));
  const connectors = statements.flatMap((s) => {
    const parsed = parseConnectorStatement(s.text);
    return parsed ? [parsed] : [];
  });
  const [connector] = connectors;
  if (!connector || connectors.length > 1) {
    throw new Error(`${shown(file)} must hold exactly one CREATE SINK CONNECTOR or CREATE SOURCE CONNECTOR statement`);
  }
  return connector;
}

/** The statement again, with the given properties. */
export function connectorStatement({ type, name, config }: KsqlConnector): string {
  const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const properties = Object.entries(config).map(([key, value]) => `  ${quote(key)} = ${quote(value)}`);
  return `CREATE ${type} CONNECTOR ${quoteIdentifier(name)} WITH (\n${properties.join(',\n')}\n);`;
}

export interface KsqlConnectorResource {
  kind: 'ksql-connector';
  file: string;
  /** The table the connector writes (database.table), dropped by reset. */
  table?: string;
}

export async function applyKsqlConnector(services: Services, resource: KsqlConnectorResource): Promise<string[]> {
  const connector = readKsqlConnectorFile(resource.file);
  const { name, config } = connector;
  const adaptations = connectorAdaptations(config, services.config);
  const wanted = adaptConnectorConfig(config, services.config);
  const path_ = `/connectors/${encodeURIComponent(name)}`;
  const current = await services.connect<Record<string, string>>(`${path_}/config`);
  if (current.status === 200) {
    const { name: _name, ...existing } = current.body;
    const same =
      Object.keys(existing).length === Object.keys(wanted).length &&
      Object.entries(wanted).every(([key, value]) => existing[key] === value);
    if (same) return [`connector "${name}": already as in ${shown(resource.file)}, left unchanged`];
    // ksqlDB creates, it does not update: the old one goes first (its offsets too, so the new one starts afresh).
    await removeConnector(services, name);
  }
  try {
    await new KsqlClient(services).statement(connectorStatement({ ...connector, config: wanted }));
  } catch (error) {
    throw new WorkshopError(
      `ksqlDB could not create connector "${name}" from ${shown(resource.file)}: ${(error as Error).message}`,
      'fix the statement and run it again',
    );
  }
  return [
    `connector "${name}": ${current.status === 200 ? 'made again' : 'created'} through ksqlDB from ${shown(resource.file)}${describeAdaptations(adaptations)}`,
  ];
}

export async function removeKsqlConnector(services: Services, resource: KsqlConnectorResource): Promise<string[]> {
  const { name, config } = readKsqlConnectorFile(resource.file);
  const done = await removeConnector(services, name, config);
  if (resource.table) {
    const table = resource.table
      .split('.')
      .map((part) => `\`${part.replaceAll('`', '``')}\``)
      .join('.');
    const dropped = await services.withMysql(async (db) => {
      try {
        const [result] = await services.query(db, `DROP TABLE IF EXISTS ${table}`);
        return (result as { warningStatus?: number }).warningStatus === 0;
      } catch (error) {
        // No such database (a MySQL made before the kit had this step): no table to drop.
        if ((error as { code?: string }).code === 'ER_BAD_DB_ERROR') return false;
        throw error;
      }
    });
    if (dropped) done.push(`MySQL: table ${resource.table} dropped`);
  }
  return done;
}

export const ksqlConnectorResource: ResourceKind<KsqlConnectorResource> = {
  kind: 'ksql-connector',
  service: 'ksqlDB',
  fields: ['file', 'table'],
  parse: (params, where, folder) => {
    const file = stepFile(params, 'file', where, folder);
    readKsqlConnectorFile(file);
    return { file, table: params.optionalString('table') };
  },
  describe(resource) {
    const { name } = readKsqlConnectorFile(resource.file);
    return `connector "${name}" (made through ksqlDB) with its offsets${resource.table ? `, and MySQL table ${resource.table}` : ''}`;
  },
  apply: (services, resource) => applyKsqlConnector(services, resource),
  remove: (services, resource) => removeKsqlConnector(services, resource),
};
