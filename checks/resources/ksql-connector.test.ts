import { describe, expect, it } from 'vitest';
import { loadConfig } from '#core/config.js';
import { adaptConnectorConfig, connectorAdaptations } from './connector.js';
import { connectorStatement, parseConnectorStatement, readKsqlConnectorFile } from './ksql-connector.js';

describe('a connector made from ksqlDB', () => {
  it('reads CREATE SINK CONNECTOR: its name, its properties, quotes doubled, bare numbers', () => {
    const parsed = parseConnectorStatement(
      "create sink connector warehouse with ('topics' = 'a,b', 'note' = 'it''s', 'tasks.max' = 1, 'empty' = '');",
    );
    expect(parsed).toEqual({
      type: 'SINK',
      name: 'WAREHOUSE',
      config: { topics: 'a,b', note: "it's", 'tasks.max': '1', empty: '' },
    });
    expect(parseConnectorStatement("CREATE SOURCE CONNECTOR `my``one` WITH ('a' = 'b')")).toMatchObject({
      type: 'SOURCE',
      name: 'my`one',
    });
    expect(parseConnectorStatement('CREATE STREAM S AS SELECT * FROM T;')).toBeUndefined();
    expect(() => parseConnectorStatement("CREATE SINK CONNECTOR X WITH ('a' = 'b',);")).toThrow(
      'connector X: a comma after the last property, which ksqlDB refuses',
    );
    expect(() => parseConnectorStatement("CREATE SINK CONNECTOR X WITH ('a' 'b');")).toThrow(
      /cannot read its properties/,
    );
  });

  it('writes the statement back so that it reads the same', () => {
    const connector = { type: 'SINK' as const, name: 'W', config: { a: "it's", b: '1' } };
    expect(parseConnectorStatement(connectorStatement(connector))).toEqual(connector);
  });

  it("step 14's file: on the learners' platform as written; elsewhere MySQL's and the registry's addresses fitted", () => {
    const { config } = readKsqlConnectorFile('steps/14-warehouse/solution/warehouse-sink.sql');
    expect(connectorAdaptations(config, loadConfig({}))).toEqual([]);
    const local = loadConfig({
      WORKSHOP_CONNECT_MYSQL_HOST: '127.0.0.1',
      WORKSHOP_CONNECT_MYSQL_PORT: '43306',
      WORKSHOP_CONNECT_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:48081',
    });
    expect(adaptConnectorConfig(config, local)).toMatchObject({
      'connection.url': 'jdbc:mysql://127.0.0.1:43306/warehouse',
      'value.converter.schema.registry.url': 'http://127.0.0.1:48081',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Connect's config-provider syntax, not a JS template
      'connection.password': '${env:WAREHOUSE_DATABASE_PASSWORD}',
    });
  });
});
