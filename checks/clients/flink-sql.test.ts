import { describe, expect, it } from 'vitest';
import { declarationChange, objectName } from './flink-declarations.js';
import { flinkCause } from './flink-sql.js';

/** The gateway's answer to a result request of a statement that failed, as Flink 2.2.0 sent it (stack trimmed). */
const validationFailure = [
  'Internal server error.',
  [
    '<Exception on server side:',
    'org.apache.flink.table.gateway.api.utils.SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.',
    '\tat org.apache.flink.table.gateway.rest.handler.statement.FetchResultsHandler.handleRequest(FetchResultsHandler.java:91)',
    'Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.',
    'Caused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation 8a1f2f55-8f89-4c1b-8bb4-9ed71ffe3b3b.',
    "Caused by: org.apache.flink.table.api.ValidationException: SQL validation failed. From line 1, column 18 to line 1, column 24: Object 'nowhere' not found",
    "Caused by: org.apache.calcite.runtime.CalciteContextException: From line 1, column 18 to line 1, column 24: Object 'nowhere' not found",
    "Caused by: org.apache.calcite.sql.validate.SqlValidatorException: Object 'nowhere' not found",
    '',
    'End of exception on server side>',
  ].join('\n'),
];

describe('the cause of a failed Flink statement', () => {
  it('is the first cause below the gateway’s wrappers, without its class, and the statement’s fault', () => {
    expect(flinkCause(validationFailure)).toEqual({
      message: "SQL validation failed. From line 1, column 18 to line 1, column 24: Object 'nowhere' not found",
      fromStatement: true,
    });
  });

  it('is the gateway’s when no cause comes from the SQL (a session gone, say)', () => {
    const gone = [
      'Internal server error.',
      "<Exception on server side:\norg.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to getSession.\nCaused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Session 'x' does not exist.\n>",
    ];
    expect(flinkCause(gone)).toEqual({ message: "Session 'x' does not exist.", fromStatement: false });
    expect(flinkCause(undefined)).toEqual({ message: 'no message', fromStatement: false });
  });
  it('is the statement’s whatever stopped the gateway executing it (a missing connector property, say)', () => {
    const missing = [
      'Internal server error.',
      [
        '<Exception on server side:',
        'org.apache.flink.table.gateway.api.utils.SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.',
        'Caused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation 4f2b9a9a-18c3-45b8-97ee-5b05d2cab54e.',
        'Caused by: java.lang.IllegalStateException: Property group.id is required when using committed offset for offsets initializer',
      ].join('\n'),
    ];
    expect(flinkCause(missing)).toEqual({
      message: 'Property group.id is required when using committed offset for offsets initializer',
      fromStatement: true,
    });
  });

  it('is what the planner found, under its rule', () => {
    const window = [
      'Internal server error.',
      [
        'Caused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation a00a0477-5da8-4ec5-871b-45466a5ee328.',
        'Caused by: java.lang.RuntimeException: Error while applying rule StreamPhysicalWindowTableFunctionRule(in:LOGICAL,out:STREAM_PHYSICAL), args [rel#437:FlinkLogicalTableFunctionScan]',
        'Caused by: org.apache.flink.table.api.ValidationException: The window function requires the timecol is a time attribute type, but is TIMESTAMP_WITH_LOCAL_TIME_ZONE(3).',
      ].join('\n'),
    ];
    expect(flinkCause(window)).toEqual({
      message:
        'The window function requires the timecol is a time attribute type, but is TIMESTAMP_WITH_LOCAL_TIME_ZONE(3).',
      fromStatement: true,
    });
  });
});

describe('what a Flink statement declares', () => {
  it('a table or view created, with or without catalog, quotes, IF NOT EXISTS, TEMPORARY, AS SELECT', () => {
    expect(declarationChange('CREATE TABLE ratings (id INT) WITH ()')).toEqual({
      change: 'create',
      kind: 'TABLE',
      name: 'ratings',
      path: 'ratings',
    });
    expect(declarationChange('create temporary view if not exists `my db`.`poor ratings` AS SELECT 1')).toMatchObject({
      change: 'create',
      kind: 'VIEW',
      name: 'poor ratings',
    });
    expect(declarationChange('CREATE OR REPLACE TABLE c.d.t WITH () AS SELECT * FROM s')).toMatchObject({
      change: 'create',
      name: 't',
      path: 'c.d.t',
    });
  });

  it('a drop, an alter, a rename (kept under its new name), SET and RESET', () => {
    expect(declarationChange('DROP TABLE IF EXISTS ratings;')).toEqual({
      change: 'drop',
      kind: 'TABLE',
      name: 'ratings',
    });
    expect(declarationChange("ALTER TABLE ratings SET ('x' = 'y')")).toMatchObject({
      change: 'alter',
      name: 'ratings',
      path: 'ratings',
    });
    expect(declarationChange('ALTER TABLE ratings RENAME TO scores')).toMatchObject({
      name: 'ratings',
      path: 'scores',
    });
    expect(declarationChange("SET 'table.exec.source.idle-timeout' = '5 s'")).toEqual({
      change: 'set',
      key: 'table.exec.source.idle-timeout',
      value: '5 s',
    });
    expect(declarationChange("RESET 'a.b'")).toEqual({ change: 'reset', key: 'a.b' });
    expect(declarationChange('RESET')).toEqual({ change: 'reset' });
  });

  it('nothing for queries, INSERTs and SHOW', () => {
    for (const statement of ['SELECT 1', 'INSERT INTO t SELECT 1', 'SHOW TABLES', "STOP JOB 'x'", 'SET']) {
      expect(declarationChange(statement), statement).toBeUndefined();
    }
  });

  it('names an object by the last part of its path, unquoted', () => {
    expect(objectName('`default_catalog`.`default_database`.`a``b`')).toBe('a`b');
    expect(objectName('plain')).toBe('plain');
  });
});
