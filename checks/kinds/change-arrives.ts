/**
 * A probe: a row inserted into the table must arrive in the topic, proving changes flow end to end, not only the
 * snapshot. The row gets an id far above any real customer's (its mark) and is deleted again at once, so it never
 * meets a rating and no later step sees it.
 */
import { randomInt } from 'node:crypto';
import { readRanges, topicOffsets } from '../kafka-read.js';
import { type ExpectationKind, fail, pass } from '../kind.js';

interface ChangeArrives {
  table: string;
  topic: string;
  keyField: string;
}

/** Probe ids: well inside INT's range, far from any seeded or generated customer. */
export const probeIdRange = { from: 2_000_000_000, to: 2_100_000_000 } as const;

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

export const changeArrives: ExpectationKind<ChangeArrives> & { probe: true } = {
  kind: 'change-arrives',
  probe: true,
  deadlineMs: 0,
  parse: (params) => {
    params.only(['table', 'topic', 'keyField']);
    return { table: params.string('table'), topic: params.string('topic'), keyField: params.string('keyField') };
  },
  object: ({ table, topic }) => `a change from ${table} to topic "${topic}"`,
  expected: () => 'a marked row inserted into the table arrives in the topic within 15 s',
  observe: async ({ table, topic, keyField }, { services, clock }) => {
    const offsets = await topicOffsets(services, topic);
    const id = randomInt(probeIdRange.from, probeIdRange.to);
    const started = clock.now();
    await services.withMysql(async (db) => {
      const [columns] = await db.query(`SHOW COLUMNS FROM \`${table}\``);
      const needed = (columns as Column[]).filter(
        (c) => c.Field !== keyField && c.Null === 'NO' && c.Default === null && !/auto_increment/i.test(c.Extra),
      );
      // Required values are copied from an existing row, so the probe satisfies the table's own constraints.
      const [sample] = await db.query(`SELECT * FROM \`${table}\` LIMIT 1`);
      const model = (sample as Record<string, unknown>[])[0];
      const names = [keyField, ...needed.map((c) => c.Field)];
      const values = [id, ...needed.map((c) => (model ? model[c.Field] : fallbackValue(c)))];
      await db.query(`INSERT INTO \`${table}\` (${names.map((n) => `\`${n}\``).join(', ')}) VALUES (?)`, [values]);
    });
    let arrived = false;
    try {
      await readRanges(
        services,
        topic,
        offsets.map((o) => ({ partition: o.partition, from: o.high, to: o.high })),
        {
          timeoutMs: 15_000,
          stopWhen: (record) => {
            arrived = record.key === String(id) || record.key?.includes(`${id}`) === true;
            return arrived;
          },
        },
      );
    } catch {
      // Not arrived by the deadline: reported below.
    } finally {
      await services.withMysql((db) => db.query(`DELETE FROM \`${table}\` WHERE \`${keyField}\` = ?`, [id]));
    }
    const elapsed = clock.now() - started;
    if (!arrived) {
      return fail(
        `a row inserted with ${keyField} ${id} did not arrive within 15 s`,
        'the connector snapshots but does not stream: check its task (npm run check step-3) and the database binary log',
      );
    }
    return pass(`a row inserted with ${keyField} ${id} arrived in ${elapsed} ms`);
  },
};
