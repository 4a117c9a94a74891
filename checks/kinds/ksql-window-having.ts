/**
 * A windowed table keeps only the groups that pass a threshold (WINDOW … WHERE … GROUP BY … HAVING COUNT(*) >= N),
 * judged on the learner's data, open windows included, so the check need not wait for a window to close:
 * - every row in the table's topic (the newest value of each group and window) counts exactly the source's records
 *   of that group in that window that meet the conditions, up to the row's own timestamp (Kafka Streams stamps an
 *   aggregate's update with the newest timestamp of the records in it), and that count reaches the threshold;
 * - every group whose records reach the threshold in a window, in records the query has processed (below its
 *   committed offsets, which it commits only after writing its results), has a row.
 */
import type { ReadRecord } from '#checks/clients/kafka-read.js';
import {
  type Condition,
  column,
  decodeWindowedKey,
  describeConditions,
  firstRecordTime,
  holds,
  missingMessage,
  parseConditions,
  parseJson,
  readsFromEarliest,
  recordsSince,
  runningWriter,
} from '#checks/clients/ksql-look.js';
import { KsqlClient } from '#checks/clients/ksqldb.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';
import { formatClock } from '#core/wait.js';

interface KsqlWindowHaving {
  table: string;
  source: string;
  groupBy: string;
  count: string;
  where: Condition[];
  atLeast: number;
  windowMs: number;
  /** How many windows back, the current one included, to judge. */
  windows: number;
  /** A processed record this much older than the newest processed one must have reached the table. */
  settleMs: number;
}

const windowName = (start: number, windowMs: number) => `${formatClock(start)}–${formatClock(start + windowMs)} (UTC)`;

interface Tally {
  /** Records of the group in the window meeting the conditions, oldest first. */
  matching: ReadRecord[];
  /** All records of the group in the window, oldest first. */
  all: ReadRecord[];
}

export const ksqlWindowHaving: ExpectationKind<KsqlWindowHaving> = {
  kind: 'ksql-window-having',
  deadlineMs: 30_000,
  parse: (params) => {
    params.only(['table', 'source', 'groupBy', 'count', 'where', 'atLeast', 'windowMs', 'windows', 'settleMs']);
    return {
      table: params.string('table'),
      source: params.string('source'),
      groupBy: params.string('groupBy'),
      count: params.string('count'),
      where: parseConditions(params),
      atLeast: params.number('atLeast', 3),
      windowMs: params.number('windowMs', 300_000),
      windows: params.number('windows', 2),
      settleMs: params.number('settleMs', 5_000),
    };
  },
  judges: ({ table }) => table,
  object: ({ table }) => `rows of ${table}`,
  expected: ({ source, groupBy, where, atLeast, windowMs }) =>
    `one row per ${groupBy.toUpperCase()} and ${windowMs / 60_000}-minute window with at least ${atLeast} records of ${source} with ${describeConditions(where)}, counting exactly those, and no other rows`,
  observe: async (params, { services }): Promise<Observation> => {
    const client = new KsqlClient(services);
    const { table, groupBy, windowMs, atLeast, where } = params;
    const conditions = describeConditions(where);
    const source = await client.describe(params.source);
    if (!source) return fail(await missingMessage(client, params.source));
    // Committed offsets first: every result the query wrote for records below them is in its topic by now.
    const writer = await runningWriter(client, table);
    if (!('written' in writer)) return writer;
    const { written } = writer;
    const committed = written.committed.get(source.topic);
    if (!committed || committed.size === 0) {
      return notYet(`query ${written.queryId} has not processed records of "${source.topic}" yet`);
    }

    // The windows judged: the current one and those before it, from where the query's output can be whole.
    let from = Math.floor(Date.now() / windowMs) * windowMs - (params.windows - 1) * windowMs;
    if (!readsFromEarliest(written)) {
      // Begun at the end of its input, the query counts only what came after: the first window it saw is partial.
      const began = await firstRecordTime(services, written.source.topic);
      if (began === undefined) {
        return notYet(
          `${table} is empty; its query reads only records that arrived after it started (SET 'auto.offset.reset' = 'earliest' reads them all)`,
        );
      }
      from = Math.max(from, Math.floor(began / windowMs) * windowMs + windowMs);
      if (from > Date.now()) {
        return notYet(
          `${table}'s query reads only records that arrived after it started: its first whole window starts at ${formatClock(from)} (UTC) (SET 'auto.offset.reset' = 'earliest' reads them all)`,
        );
      }
    }

    const [inputRecords, outputRecords] = await Promise.all([
      recordsSince(services, source.topic, from),
      recordsSince(services, written.source.topic, from),
    ]);

    // The source, tallied per group and window.
    const tallies = new Map<string, Tally>();
    const tallyOf = (group: string, start: number) => {
      const id = `${group}\u0000${start}`;
      let tally = tallies.get(id);
      if (!tally) {
        tally = { matching: [], all: [] };
        tallies.set(id, tally);
      }
      return tally;
    };
    for (const record of inputRecords) {
      if (record.timestamp < from) continue;
      const row = parseJson(record.value);
      const group = column(row, groupBy) ?? (record.key === null ? undefined : parseJson(record.key));
      if (group === undefined || group === null) continue;
      const tally = tallyOf(String(group), Math.floor(record.timestamp / windowMs) * windowMs);
      tally.all.push(record);
      if (where.every((c) => holds(row, c))) tally.matching.push(record);
    }
    for (const tally of tallies.values()) {
      tally.all.sort((a, b) => a.timestamp - b.timestamp);
      tally.matching.sort((a, b) => a.timestamp - b.timestamp);
    }

    // The table, as its topic holds it: the newest value of each group and window (a delete is a row gone).
    const rows = new Map<string, { group: string; start: number; count: number; timestamp: number }>();
    for (const record of outputRecords) {
      const key = record.keyBytes ? decodeWindowedKey(record.keyBytes) : undefined;
      if (!key || key.windowStart < from) continue;
      const id = `${key.key}\u0000${key.windowStart}`;
      const value = parseJson(record.value);
      if (value === null) rows.delete(id);
      else
        rows.set(id, {
          group: key.key,
          start: key.windowStart,
          count: Number(column(value, params.count)),
          timestamp: record.timestamp,
        });
    }

    const name = `${groupBy.toUpperCase()} `;
    const processed = (r: ReadRecord) => BigInt(r.offset) < (committed.get(r.partition) ?? 0n);
    const recreate = `DROP TABLE ${table} DELETE TOPIC; and create it again`;
    for (const row of rows.values()) {
      const which = `${name}${row.group} in the window ${windowName(row.start, windowMs)}`;
      if (Number.isNaN(row.count)) {
        return fail(
          `${table} has no column ${params.count.toUpperCase()} for ${which}`,
          `name the count: COUNT(*) AS ${params.count.toUpperCase()}; ${recreate}`,
        );
      }
      if (row.count < atLeast) {
        return fail(
          `${table} holds ${which} with ${params.count.toUpperCase()} ${row.count}: fewer than ${atLeast}`,
          `keep only the groups that reach ${atLeast}: HAVING COUNT(*) >= ${atLeast}; ${recreate}`,
        );
      }
      const tally = tallies.get(`${row.group}\u0000${row.start}`) ?? { matching: [], all: [] };
      const upTo = (records: ReadRecord[]) => records.filter((r) => r.timestamp <= row.timestamp).length;
      const matching = upTo(tally.matching);
      if (row.count === matching) continue;
      // A record stamped earlier than the row but not yet processed (out of order: producers in parallel) is not
      // counted yet: look again, rather than call a right query wrong.
      if (tally.matching.some((r) => r.timestamp <= row.timestamp && !processed(r))) {
        return notYet(`${table}'s query has not processed every record of ${which} yet`);
      }
      const all = upTo(tally.all);
      if (row.count === all) {
        return fail(
          `${table} counts ${row.count} for ${which}: every record of ${params.source} of it, ${matching} of which have ${conditions}`,
          `count only the records with ${conditions}: WHERE ${conditions} after the WINDOW clause; ${recreate}`,
        );
      }
      return fail(
        `${table} counts ${row.count} for ${which}; ${params.source} holds ${matching} record(s) of it with ${conditions} up to ${formatClock(row.timestamp)}`,
        `count the records of ${params.source} with ${conditions}, per ${groupBy.toUpperCase()}, in ${windowMs / 60_000}-minute tumbling windows: WINDOW TUMBLING (SIZE ${windowMs / 60_000} MINUTES), GROUP BY ${groupBy.toUpperCase()}; ${recreate}`,
      );
    }

    // Every group that reached the threshold in records the query has processed, and some time ago, has a row.
    const processedTimes = inputRecords.filter(processed).map((r) => r.timestamp);
    const streamTime = processedTimes.length > 0 ? Math.max(...processedTimes) : Number.NEGATIVE_INFINITY;
    let qualifying = 0;
    for (const [id, tally] of tallies) {
      const reached = tally.matching[atLeast - 1];
      if (!reached || !processed(reached) || reached.timestamp > streamTime - params.settleMs) continue;
      qualifying += 1;
      if (rows.has(id)) continue;
      const [group, start] = id.split('\u0000');
      const count = tally.matching.filter(processed).length;
      return fail(
        `${params.source} has ${count} records of ${name}${group} with ${conditions} in the window ${windowName(Number(start), windowMs)}, processed by query ${written.queryId}, but ${table} has no row for it`,
        `a group with ${atLeast} or more must be in the table: HAVING COUNT(*) >= ${atLeast}; ${recreate}`,
      );
    }
    if (rows.size === 0 || qualifying === 0) {
      return notYet(
        `no ${groupBy.toUpperCase()} has ${atLeast} processed records with ${conditions} in a window since ${formatClock(from)} (UTC) yet`,
      );
    }
    return pass(
      `${rows.size} row(s) in the windows since ${formatClock(from)} (UTC), each counting its ${groupBy.toUpperCase()}'s records of ${params.source} with ${conditions} (recounted), and every one of the ${qualifying} that reached ${atLeast} is there`,
    );
  },
};
