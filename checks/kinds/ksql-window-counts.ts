/**
 * A windowed count is right: a pull query on the table answers rows whose WINDOWSTART and WINDOWEND lie one window
 * apart, and for the newest window that has closed (the query has processed records well past its end), the counts
 * in the table's topic equal a recount, per group, of the source's records in that window, by the record timestamp
 * ksqlDB windows on. Windowed keys in the topic are the group's key bytes followed by the window start (8 bytes).
 */
import { type ReadRecord, readRanges, topicOffsets } from '#checks/clients/kafka-read.js';
import {
  column,
  decodeWindowedKey,
  firstRecordTime,
  missingMessage,
  parseJson,
  readsFromEarliest,
  recordsSince,
  runningWriter,
} from '#checks/clients/ksql-look.js';
import { KsqlClient, quoteIdentifier } from '#checks/clients/ksqldb.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';
import { formatClock } from '#core/wait.js';

interface KsqlWindowCounts {
  table: string;
  source: string;
  groupBy: string;
  count: string;
  windowMs: number;
  /** How far past a window's end the query must have got before the window counts as closed. */
  closedAfterMs: number;
}

const counts = (map: Map<string, number>) =>
  [...map]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, n]) => `${group} ${n}`)
    .join(', ') || 'none';

export const ksqlWindowCounts: ExpectationKind<KsqlWindowCounts> = {
  kind: 'ksql-window-counts',
  deadlineMs: 30_000,
  // A window closes up to a whole window after the first record, and counts as closed once the query has got
  // closedAfterMs past its end: a check right after solve must be able to wait that long, and a little more.
  deadlineFor: ({ windowMs, closedAfterMs }) => windowMs + closedAfterMs + 30_000,
  parse: (params) => {
    params.only(['table', 'source', 'groupBy', 'count', 'windowMs', 'closedAfterMs']);
    return {
      table: params.string('table'),
      source: params.string('source'),
      groupBy: params.string('groupBy'),
      count: params.string('count'),
      windowMs: params.number('windowMs', 60_000),
      closedAfterMs: params.number('closedAfterMs', 5_000),
    };
  },
  judges: ({ table }) => table,
  object: ({ table }) => `counts in ${table}`,
  expected: ({ source, groupBy, windowMs }) =>
    `windows ${windowMs / 1000} s apart (WINDOWEND - WINDOWSTART), and for a closed window, the count of ${source}'s records per ${groupBy.toUpperCase()} in it`,
  observe: async (params, { services }): Promise<Observation> => {
    const client = new KsqlClient(services);
    const { table, groupBy, windowMs } = params;
    const source = await client.describe(params.source);
    if (!source) return fail(await missingMessage(client, params.source));
    const writer = await runningWriter(client, table);
    if (!('written' in writer)) return writer;
    const { written } = writer;

    // The pull query a learner runs, over the last hour of windows.
    // Right after a restart or a reset, ksqlDB answers "not available yet" until Kafka Streams has rebalanced: the
    // client throws KsqlNotReady, which the engine looks at again until the deadline.
    const { rows, columnNames: names } = await client.query(
      `SELECT * FROM ${quoteIdentifier(table)} WHERE WINDOWSTART >= ${Date.now() - 3_600_000};`,
    );
    const start = names.indexOf('WINDOWSTART');
    const end = names.indexOf('WINDOWEND');
    if (start < 0 || end < 0) return fail(`a pull query on ${table} answers no WINDOWSTART and WINDOWEND`);
    const odd = rows.find((row) => Number(row[end]) - Number(row[start]) !== windowMs);
    if (odd) {
      return fail(
        `a pull query answers a window from ${formatClock(Number(odd[start]))} to ${formatClock(Number(odd[end]))}: ${(Number(odd[end]) - Number(odd[start])) / 1000} s long`,
        `the window must be ${windowMs / 1000} s: WINDOW TUMBLING (SIZE ${windowMs / 60_000} MINUTE); drop ${table} (DELETE TOPIC) and create it again`,
      );
    }

    // The newest window the query has left behind: its processed records reach past the window's end.
    const committed = written.committed.get(source.topic);
    if (!committed || committed.size === 0) {
      return notYet(`query ${written.queryId} has not processed records of "${source.topic}" yet`);
    }
    const offsets = await topicOffsets(services, source.topic);
    const lastProcessed = await readRanges(
      services,
      source.topic,
      offsets.map((o) => {
        const to = committed.get(o.partition) ?? o.low;
        return { partition: o.partition, from: to > o.low ? to - 1n : to, to };
      }),
      { timeoutMs: Math.max(10_000, services.timeouts.requestMs * 2) },
    );
    if (lastProcessed.length === 0) return notYet(`no processed records of "${source.topic}" yet`);
    const streamTime = Math.min(...lastProcessed.map((r) => r.timestamp));
    const windowStart = Math.floor((streamTime - params.closedAfterMs) / windowMs) * windowMs - windowMs;
    let earliest = 0;
    if (!readsFromEarliest(written)) {
      // Begun at the end of its input: the first window it saw is partial.
      const began = await firstRecordTime(services, written.source.topic);
      earliest = began === undefined ? Number.POSITIVE_INFINITY : Math.floor(began / windowMs) * windowMs + windowMs;
    }
    const firstSource = await firstRecordTime(services, source.topic);
    if (firstSource === undefined || windowStart < Math.max(earliest, Math.floor(firstSource / windowMs) * windowMs)) {
      const closes = Math.max(earliest, Math.floor((firstSource ?? streamTime) / windowMs) * windowMs) + 2 * windowMs;
      return notYet(
        `no window has closed yet: the first full window closes at ${formatClock(closes + params.closedAfterMs)} (UTC)`,
      );
    }

    const inWindow = (r: ReadRecord) => r.timestamp >= windowStart && r.timestamp < windowStart + windowMs;
    const recount = new Map<string, number>();
    for (const record of (await recordsSince(services, source.topic, windowStart)).filter(inWindow)) {
      const group = column(parseJson(record.value), groupBy);
      if (group === undefined || group === null) continue;
      recount.set(String(group), (recount.get(String(group)) ?? 0) + 1);
    }
    const counted = new Map<string, number>();
    for (const record of await recordsSince(services, written.source.topic, windowStart)) {
      const key = record.keyBytes ? decodeWindowedKey(record.keyBytes) : undefined;
      if (!key || key.windowStart !== windowStart) continue;
      const value = parseJson(record.value);
      if (value === null) counted.delete(key.key);
      else counted.set(key.key, Number(column(value, params.count)));
    }
    const window = `${formatClock(windowStart)}–${formatClock(windowStart + windowMs)} (UTC)`;
    const same = recount.size === counted.size && [...recount].every(([group, n]) => counted.get(group) === n);
    if (!same) {
      return fail(
        `for the window ${window}, ${table} counts ${counts(counted)}; ${params.source} holds ${counts(recount)}`,
        `count every record of ${params.source}: SELECT ${groupBy.toUpperCase()}, COUNT(*) AS ${params.count.toUpperCase()} FROM ${params.source} WINDOW TUMBLING (SIZE ${windowMs / 60_000} MINUTE) GROUP BY ${groupBy.toUpperCase()}`,
      );
    }
    return pass(
      `window ${window}: ${counts(counted)}, as in ${params.source}; a pull query answers ${rows.length} row(s), each window ${windowMs / 1000} s`,
    );
  },
};
