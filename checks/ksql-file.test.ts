import { describe, expect, it } from 'vitest';
import { UsageError } from '#core/errors.js';
import { bareCommentLines, createdObject, isQuery, splitStatements } from './ksql-file.js';

describe('splitStatements', () => {
  it('splits on semicolons outside strings, quoted names and comments, and carries SET properties forward', () => {
    const statements = splitStatements(
      [
        '-- a comment; with a semicolon',
        "SET 'auto.offset.reset' = 'earliest';",
        "CREATE STREAM `a;b` WITH (KAFKA_TOPIC='x;y') AS SELECT 'it''s;' AS T FROM S;",
        "UNSET 'auto.offset.reset';",
        'SHOW QUERIES;',
      ].join('\n'),
    );
    expect(statements).toEqual([
      {
        text: "CREATE STREAM `a;b` WITH (KAFKA_TOPIC='x;y') AS SELECT 'it''s;' AS T FROM S;",
        line: 3,
        properties: { 'auto.offset.reset': 'earliest' },
      },
      { text: 'SHOW QUERIES;', line: 5, properties: {} },
    ]);
  });

  it('refuses a statement without its semicolon, naming its line', () => {
    expect(() => splitStatements('SHOW TOPICS;\n\nSELECT * FROM X', 'f.sql')).toThrow(UsageError);
    expect(() => splitStatements('SHOW TOPICS;\n\nSELECT * FROM X', 'f.sql')).toThrow(
      /^f\.sql: the statement starting on line 3 does not end with ";"/,
    );
  });
});

describe('bareCommentLines', () => {
  it('finds the "--" lines that make ksqlDB skip the next line', () => {
    expect(bareCommentLines('-- fine\n--\nSELECT 1;\n  --  \n')).toEqual([2, 4]);
  });
});

describe('createdObject', () => {
  it.each([
    ["CREATE STREAM RATINGS (A INT) WITH (KAFKA_TOPIC='r');", { name: 'RATINGS', type: 'STREAM', asSelect: false }],
    ['create table if not exists t_1 as select * from s;', { name: 'T_1', type: 'TABLE', asSelect: true }],
    ['CREATE OR REPLACE STREAM `Mixed` AS\n  SELECT * FROM S;', { name: 'Mixed', type: 'STREAM', asSelect: true }],
    [
      "CREATE SOURCE TABLE C (ID INT PRIMARY KEY) WITH (KAFKA_TOPIC='c');",
      { name: 'C', type: 'TABLE', asSelect: false },
    ],
  ])('%s', (statement, expected) => {
    expect(createdObject(statement)).toEqual(expected);
  });

  it('is undefined for other statements', () => {
    expect(createdObject('DROP STREAM X;')).toBeUndefined();
    expect(isQuery('  select * from x;')).toBe(true);
    expect(isQuery('SHOW QUERIES;')).toBe(false);
  });
});

describe('block comments', () => {
  it('count as a space, keep the line count, and may hold a semicolon', async () => {
    const { splitSql } = await import('./sql-text.js');
    expect(splitSql('/* one;\n two */ SHOW TABLES;\nSHOW /* x */ JOBS;', 'f.sql', 'Flink')).toEqual([
      { text: 'SHOW TABLES;', line: 2 },
      { text: 'SHOW   JOBS;', line: 3 },
    ]);
  });
});
