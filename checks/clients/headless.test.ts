/**
 * Reading the headless ksqlDB server's log: whether its last start is up, and ksqlDB's own reason when a statement
 * of the file stopped it. The lines are as ksqlDB 8.0.7 writes them (seen on the real server, layout
 * "[%d] %p %m (%c)%n"); the suite of step 15 runs the same against the real server.
 */
import { describe, expect, it } from 'vitest';
import { fileQueries } from '#checks/resources/headless.js';
import { serverUp, startFailure } from './headless.js';

const main = '(io.confluent.ksql.rest.server.KsqlServerMain)';
const line = (time: string, level: string, text: string, logger = main) =>
  `[2026-12-05 ${time},000] ${level} ${text} ${logger}`;
// KsqlServerMain runs a precondition checker first: it comes up and shuts down within a second.
const precondition = [
  line('14:29:35', 'INFO', 'Starting server'),
  '\tksql.service.id = workshop_headless_',
  line('14:29:36', 'INFO', 'Server up and running'),
  line('14:29:36', 'INFO', 'Server shutting down'),
];
const failure = [
  line('14:29:37', 'INFO', 'Starting server'),
  line(
    '14:29:38',
    'ERROR',
    'Failed to start KSQL Server with query file: /kit/headless/queries.sql',
    '(io.confluent.ksql.rest.server.StandaloneExecutor)',
  ),
  "io.confluent.ksql.util.KsqlStatementException: Could not determine output schema for query due to error: Line: 20, Col: 31: WHERE column 'STARZ' cannot be resolved.",
  '\tat io.confluent.ksql.schema.ksql.inference.SchemaRegisterInjector.registerForCreateAs(SchemaRegisterInjector.java:190)',
  line('14:29:38', 'INFO', 'Server shutting down'),
];

describe('the headless server’s log', () => {
  it('is up only once the server itself, after the precondition checker, is up and running', () => {
    expect(serverUp(precondition.join('\n'))).toBe(false);
    const up = [
      ...precondition,
      line('14:29:37', 'INFO', 'Starting server'),
      line('14:29:38', 'INFO', 'Server up and running'),
    ];
    expect(serverUp(up.join('\n'))).toBe(true);
    expect(serverUp([...up, line('14:30:00', 'INFO', 'Server shutting down')].join('\n'))).toBe(false);
    expect(serverUp([...precondition, ...failure].join('\n'))).toBe(false);
  });

  it('gives ksqlDB’s reason for the statement that stopped it, without Java’s exception class or stack', () => {
    expect(startFailure([...precondition, ...failure].join('\n'))).toBe(
      "Could not determine output schema for query due to error: Line: 20, Col: 31: WHERE column 'STARZ' cannot be resolved.",
    );
    expect(startFailure(precondition.join('\n'))).toBeUndefined();
  });

  it('takes no failure of an earlier run for this one, once a later server came up', () => {
    const later = [
      ...failure,
      line('14:31:00', 'INFO', 'Starting server'),
      line('14:31:02', 'INFO', 'Server up and running'),
    ];
    expect(startFailure(later.join('\n'))).toBeUndefined();
  });
});

describe('the headless file’s queries', () => {
  it('lists each CREATE … AS SELECT with its topic and line; declarations are not queries', () => {
    const text = [
      "SET 'auto.offset.reset' = 'earliest';",
      "CREATE STREAM RATINGS (ID INT KEY) WITH (KAFKA_TOPIC = 'ratings', VALUE_FORMAT = 'JSON');",
      "CREATE STREAM POOR_RATINGS WITH (KAFKA_TOPIC = 'headless_poor_ratings') AS",
      '  SELECT * FROM RATINGS WHERE STARS < 3 EMIT CHANGES;',
    ].join('\n');
    expect(fileQueries(text)).toEqual([{ name: 'POOR_RATINGS', topic: 'headless_poor_ratings', line: 3 }]);
  });

  it('refuses a query writing a topic the interactive server may write, naming the line and what to write', () => {
    const named = "CREATE STREAM POOR_RATINGS WITH (KAFKA_TOPIC = 'poor_ratings') AS SELECT * FROM RATINGS;";
    expect(() => fileQueries(named)).toThrow(
      "headless/queries.sql, line 1: CREATE STREAM POOR_RATINGS writes topic poor_ratings, which is not a headless_… topic: the interactive server's POOR_RATINGS may write it too",
    );
    const unnamed = 'CREATE TABLE COUNTS AS SELECT ID, COUNT(*) FROM RATINGS GROUP BY ID;';
    expect(() => fileQueries(unnamed)).toThrow('CREATE TABLE COUNTS writes a topic named after it');
  });
});
