/**
 * A probe: a row inserted into the table must arrive in the topic, proving changes flow end to end, not only the
 * snapshot. The row gets an id from a range reserved for probes (its mark), far above any customer's, and is deleted
 * again at once, so it never meets a rating and no later step sees it. Rows a killed check left behind are removed
 * before the next probe.
 */
import { randomInt } from 'node:crypto';
import { readRanges, topicOffsets } from '#checks/clients/kafka-read.js';
import { type ExpectationKind, fail, pass } from '#checks/kind.js';
import { reservedProbeIds } from '#datagen/probe-ids.js';

interface ChangeArrives {
  table: string;
  topic: string;
  keyField: string;
}

interface Column {
  Field: string;
  Type: string;
  Null: 'YES' | 'NO';
  Default: string | null;
  Extra: string;
}

/** A value for a required column when the table has no row to copy one from. */
function fallbackValue(column: Column): string | number {
  const type = column.Type.toLowerCase();
  if (/int|decimal|float|double/.test(type)) return 0;
  if (/date|time/.test(type)) return new Date().toISOString().slice(0, 19).replace('T', ' ');
  const length = Number(/\((\d+)\)/.exec(type)?.[1] ?? 255);
  return 'probe'.slice(0, length);
}

const minimumWaitMs = 2_000;

export const changeArrives: ExpectationKind<ChangeArrives> & { probe: true } = {
  kind: 'change-arrives',
  probe: true,
  // One look that waits for its row until the deadline: a step may give the expectation a deadlineMs of its own, and
  // tests and --watch scale it like any other.
  deadlineMs: 15_000,
  parse: (params) => {
    params.only(['table', 'topic', 'keyField']);
    return {
      table: params.string('table'),
      topic: params.string('topic'),
      keyField: params.string('keyField'),
    };
  },
  object: ({ table, topic }) => `a change from ${table} to topic "${topic}"`,
  expected: () => 'a marked row inserted into the table arrives in the topic',
  observe: async ({ table, topic, keyField }, { services, clock }, _memory, { deadline }) => {
    // However short the deadline was made, a change gets a moment to travel through Connect.
    const arrivalMs = Math.max(minimumWaitMs, deadline - clock.now());
    const inRange = `\`${keyField}\` >= ${reservedProbeIds.from} AND \`${keyField}\` < ${reservedProbeIds.to}`;
    const offsets = await topicOffsets(services, topic);
    const id = randomInt(reservedProbeIds.from, reservedProbeIds.to);
    const started = clock.now();
    await services.withMysql(async (db) => {
      await services.query(db, `DELETE FROM \`${table}\` WHERE ${inRange}`);
      const [columns] = await services.query(db, `SHOW COLUMNS FROM \`${table}\``);
      const needed = (columns as Column[]).filter(
        (c) => c.Field !== keyField && c.Null === 'NO' && c.Default === null && !/auto_increment/i.test(c.Extra),
      );
      // Required values are copied from an existing row, so the probe satisfies the table's own constraints.
      const [sample] = await services.query(db, `SELECT * FROM \`${table}\` WHERE NOT (${inRange}) LIMIT 1`);
      const model = (sample as Record<string, unknown>[])[0];
      const names = [keyField, ...needed.map((c) => c.Field)];
      const values = [id, ...needed.map((c) => (model ? model[c.Field] : fallbackValue(c)))];
      await services.query(db, `INSERT INTO \`${table}\` (${names.map((n) => `\`${n}\``).join(', ')}) VALUES (?)`, [
        values,
      ]);
    });
    let arrived = false;
    try {
      await readRanges(
        services,
        topic,
        offsets.map((o) => ({ partition: o.partition, from: o.high, to: o.high })),
        {
          timeoutMs: arrivalMs,
          stopWhen: (record) => {
            arrived = record.key === String(id) || record.key === JSON.stringify({ [keyField]: id });
            return arrived;
          },
        },
      );
    } finally {
      await services.withMysql((db) => services.query(db, `DELETE FROM \`${table}\` WHERE ${inRange}`));
    }
    const elapsed = clock.now() - started;
    if (!arrived) {
      return fail(
        `a row inserted with ${keyField} ${id} did not arrive within ${(arrivalMs / 1000).toFixed(1)} s`,
        'the snapshot arrived but changes do not: the connector’s task must keep reading the database’s binary log',
      );
    }
    return pass(`a row inserted with ${keyField} ${id} arrived in ${elapsed} ms`);
  },
};
