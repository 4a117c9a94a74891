/** The ksqlDB client against stand-ins answering as a real 8.0.7 server does (see testing/ksqldb-shapes.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '#core/config.js';
import { EnvironmentError } from '#core/errors.js';
import { freePort } from '#workshop/dev/stack/ports.js';
import { ksqldbStandIn, type StandIn } from '#workshop/dev/stack/standins.js';
import { statementError } from '#workshop/dev/testing/ksqldb-shapes.js';
import { scriptedKsqlDb } from '#workshop/dev/testing/ksqldb-standin.js';
import {
  isPassingState,
  KsqlClient,
  KsqlNotReady,
  KsqlStatementError,
  parseQueryAnswer,
  queryConsumerGroup,
} from './ksqldb.js';
import { Services, ServiceUnavailable } from './services.js';

let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

const clientFor = (url: string) => new KsqlClient(new Services(loadConfig({ WORKSHOP_KSQLDB_URL: url })));

describe('KsqlClient', () => {
  it('reads /info', async () => {
    standIn = await ksqldbStandIn();
    expect(await clientFor(standIn.url).info()).toMatchObject({ serverStatus: 'RUNNING', ksqlServiceId: 'default_' });
    expect(await clientFor(standIn.url).serviceId()).toBe('default_');
  });

  it('a server still starting (503) is an environment error, not the learner’s', async () => {
    standIn = await ksqldbStandIn({ starting: true });
    const attempt = clientFor(standIn.url).statements('LIST STREAMS;');
    await expect(attempt).rejects.toBeInstanceOf(EnvironmentError);
    await expect(attempt).rejects.toThrow(/is still starting \(HTTP 503\)/);
  });

  it('nothing listening is ksqlDB unreachable', async () => {
    const port = await freePort();
    await expect(clientFor(`http://127.0.0.1:${port}`).sources()).rejects.toBeInstanceOf(ServiceUnavailable);
  });

  it('a refused statement carries ksqlDB’s own message and code (40001)', async () => {
    standIn = await scriptedKsqlDb({
      sources: [],
      refusals: [
        { status: 400, body: statementError('CRATE STREAM X;', "line 1:1: Syntax Error\nUnknown statement 'CRATE'") },
      ],
    });
    const attempt = clientFor(standIn.url).statements('CRATE STREAM X;');
    await expect(attempt).rejects.toBeInstanceOf(KsqlStatementError);
    await expect(attempt).rejects.toThrow(
      `ksqlDB refused "CRATE STREAM X;": line 1:1: Syntax Error\nUnknown statement 'CRATE'`,
    );
    await expect(attempt).rejects.toMatchObject({ errorCode: 40001, exitCode: 1 });
  });

  it('a passing state of ksqlDB’s is not yet (exit 4): Kafka Streams not RUNNING, a topic still being deleted', async () => {
    // The answers a real 8.0.7 gave when solve followed reset at once (issue: catching up on a two-core machine).
    const pendingShutdown = statementError(
      'SELECT * FROM RATINGS_BY_CLUB_STATUS_1MIN WHERE WINDOWSTART >= 0;',
      'Error starting pull query: KafkaStreams is not running. State is PENDING_SHUTDOWN.',
    );
    const describing = {
      '@type': 'generic_error',
      error_code: 50000,
      message: 'Failed to Describe Kafka Topic(s): [ratings_with_customer_data]',
    };
    standIn = await scriptedKsqlDb({
      sources: [],
      pull: () => ({ error: 'Error starting pull query: KafkaStreams is not running. State is REBALANCING.' }),
      refusals: [
        { status: 400, body: pendingShutdown },
        { status: 500, body: describing },
      ],
    });
    const client = clientFor(standIn.url);
    for (const wanted of [/State is PENDING_SHUTDOWN/, /Failed to Describe Kafka Topic\(s\)/]) {
      const attempt = client.statements('SHOW QUERIES;');
      await expect(attempt).rejects.toBeInstanceOf(KsqlNotReady);
      await expect(attempt).rejects.toMatchObject({ exitCode: 4 });
      await expect(attempt).rejects.toThrow(wanted);
    }
    await expect(client.query('SELECT * FROM T WHERE WINDOWSTART >= 0;')).rejects.toThrow(
      /^ksqlDB is not ready for "SELECT \* FROM T WHERE WINDOWSTART >= 0;" yet: .*State is REBALANCING/,
    );
  });

  it('a statement that changes something is sent again while ksqlDB is in a passing state, then taken', async () => {
    const received: string[] = [];
    standIn = await scriptedKsqlDb({
      sources: [],
      received,
      refusals: [
        { status: 500, body: { error_code: 50000, message: 'Failed to Describe Kafka Topic(s): [ratings]' } },
        { status: 400, body: statementError('X', 'KafkaStreams is not running. State is PENDING_ERROR.') },
      ],
    });
    const [entity] = await clientFor(standIn.url).statements('DROP STREAM IF EXISTS GONE;');
    // Both passing states were waited out: the third send was taken, and answered.
    expect(received).toEqual(['DROP STREAM IF EXISTS GONE;']);
    expect(entity).toMatchObject({ '@type': 'currentStatus' });
  });

  it('tells a passing state from a refusal and a failure by ksqlDB’s own words', () => {
    expect(isPassingState('KafkaStreams is not running. State is PENDING_SHUTDOWN.')).toBe(true);
    expect(isPassingState('KafkaStreams is not running. State is RUNNING.')).toBe(false);
    expect(isPassingState("Materialized data for key ['EU'] is not available yet. Please try again later.")).toBe(true);
    expect(isPassingState('Topic ratings_with_customer_data is marked for deletion.')).toBe(true);
    expect(isPassingState("line 1:1: Syntax Error\nUnknown statement 'CRATE'")).toBe(false);
    expect(isPassingState('Could not write the statement into the command topic.')).toBe(false);
  });

  it('a server error (5xx) is an environment error', async () => {
    standIn = await scriptedKsqlDb({
      sources: [],
      refusals: [{ status: 500, body: { '@type': 'generic_error', error_code: 50000, message: 'boom' } }],
    });
    await expect(clientFor(standIn.url).statements('SHOW QUERIES;')).rejects.toBeInstanceOf(EnvironmentError);
  });

  it('a statement refused while an earlier one still runs is sent again, and runs', async () => {
    const busy = {
      status: 500,
      body: {
        '@type': 'generic_error',
        error_code: 50000,
        message: "Could not write the statement 'DROP STREAM X;' into the command topic.\nCaused by: Timeout",
      },
    };
    const received: string[] = [];
    standIn = await scriptedKsqlDb({ sources: [], refusals: [busy, busy], received });
    const [entity] = await clientFor(standIn.url).statements('DROP STREAM X;');
    expect(entity).toMatchObject({ '@type': 'currentStatus', commandStatus: { status: 'SUCCESS' } });
    expect(received).toEqual(['DROP STREAM X;']);
  });

  it('DESCRIBE of a name that does not exist is undefined, not an error', async () => {
    standIn = await scriptedKsqlDb({ sources: [] });
    expect(await clientFor(standIn.url).describe('NOPE')).toBeUndefined();
  });

  it('a pull query answers its columns and rows; an error mid-stream is the learner’s', async () => {
    standIn = await scriptedKsqlDb({
      sources: [],
      pull: () => ({ columnNames: ['K', 'N'], columnTypes: ['STRING', 'BIGINT'], rows: [['a', 1]] }),
    });
    expect(await clientFor(standIn.url).query('SELECT * FROM T;')).toMatchObject({
      columnNames: ['K', 'N'],
      rows: [['a', 1]],
    });
    const refuse = (status: number, body: unknown): never => {
      throw new KsqlStatementError(status, JSON.stringify(body));
    };
    // The default (delimited) form: a metadata line, then a line per row; an error arrives as a line of its own.
    const delimited = '{"queryId":"q","columnNames":["A"],"columnTypes":["INTEGER"]}\n[1]\n[2]\n';
    expect(parseQueryAnswer(delimited, 'SELECT', refuse).rows).toEqual([[1], [2]]);
    expect(() =>
      parseQueryAnswer(
        [{ columnNames: ['A'] }, [1], { '@type': 'generic_error', error_code: 50000, message: 'x' }],
        'SELECT',
        refuse,
      ),
    ).toThrow(KsqlStatementError);
  });

  it('names a query’s consumer group as ksqlDB does', () => {
    // EXPLAIN CSAS_POOR_RATINGS_3 on a real server: consumerGroupId "_confluent-ksql-default_query_CSAS_POOR_RATINGS_3".
    expect(queryConsumerGroup('default_', 'CSAS_POOR_RATINGS_3')).toBe(
      '_confluent-ksql-default_query_CSAS_POOR_RATINGS_3',
    );
  });
});
