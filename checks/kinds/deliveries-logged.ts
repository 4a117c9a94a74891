/**
 * An app's delivery log shows what its consumer group committed: for each partition, the last record the group
 * consumed is a line of the log (delivered, or reported and skipped), with the same key field as the record. So the
 * commits are deliveries, of this topic's records, and the log is the app's own, current one.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { viewGroup } from '#checks/clients/consumer-group.js';
import { readRanges } from '#checks/clients/kafka-read.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';
import { stateDir } from '#core/state-dir.js';

interface DeliveriesLogged {
  /** The log's file name in the kit's state folder (.workshop/). */
  log: string;
  group: string;
  topic: string;
  /** The record's field that the log's `ratingId` repeats. */
  matchField: string;
  app: string;
}

interface LogLine {
  at: string;
  topic?: string;
  partition: number;
  offset: string;
  ratingId?: number;
  to?: string;
  skipped?: string;
  pinned?: boolean;
}

function readLog(file: string): LogLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
}

const ago = (iso: string) => `${Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))} s ago`;

export const deliveriesLogged: ExpectationKind<DeliveriesLogged> = {
  kind: 'deliveries-logged',
  deadlineMs: 45_000,
  parse: (params) => {
    params.only(['log', 'group', 'topic', 'matchField', 'app']);
    return {
      log: params.string('log'),
      group: params.string('group'),
      topic: params.string('topic'),
      matchField: params.string('matchField'),
      app: params.string('app'),
    };
  },
  object: ({ log }) => `delivery log .workshop/${log}`,
  expected: ({ topic }) => `a delivery for the newest record of ${topic} the app has consumed`,
  observe: async ({ log, group, topic, matchField, app }, { services }, _memory, look): Promise<Observation> => {
    const file = path.join(stateDir(), log);
    const view = await viewGroup(services, group, topic);
    const consumed = view.partitions.filter((p) => p.committed !== undefined && p.committed > p.low);
    if (consumed.length === 0) {
      return notYet(
        `nothing consumed yet: no record has arrived in ${topic} since the app started`,
        `keep the ratings coming (npm run datagen -- ratings) and ${app} running: unhappy platinum customers arrive every few seconds`,
      );
    }
    if (!existsSync(file)) {
      return fail(
        `no file: the group committed offsets, but not through the kit's app on this machine`,
        `run the notifications app from this folder: ${app}`,
      );
    }
    const lines = readLog(file);
    const records = await readRanges(
      services,
      topic,
      consumed.map((p) => ({ partition: p.partition, from: (p.committed as bigint) - 1n, to: p.committed as bigint })),
      { timeoutMs: Math.max(5_000, look.deadline - Date.now()) },
    );
    const found: string[] = [];
    for (const record of records) {
      const line = lines.findLast(
        (l) => l.partition === record.partition && l.offset === record.offset && (l.topic ?? topic) === topic,
      );
      const where = `partition ${record.partition}, offset ${record.offset}`;
      if (!line) {
        return fail(
          `the group committed ${where}, but the log has no delivery of it (its newest line is ${lines.length > 0 ? ago(lines[lines.length - 1]?.at ?? '') : 'missing'})`,
          `another app uses the group "${group}"? Stop it, then start ${app}`,
        );
      }
      if (line.pinned) {
        return notYet(
          `nothing delivered yet: no record has arrived in ${topic} since the app started (after offset ${record.offset} of partition ${record.partition})`,
          `keep the ratings coming (npm run datagen -- ratings) and ${app} running: unhappy platinum customers arrive every few seconds`,
        );
      }
      if (line.skipped) {
        found.push(`${where} skipped as unreadable, ${ago(line.at)}`);
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(record.value ?? 'null');
      } catch {
        value = undefined;
      }
      const expected = (value as Record<string, unknown> | undefined)?.[matchField];
      if (line.ratingId !== expected) {
        return fail(
          `the log says ${where} was ${matchField} ${line.ratingId}, the topic holds ${JSON.stringify(expected)} there`,
          `the log is from another run or topic: stop the app, then start ${app}`,
        );
      }
      found.push(`${matchField} ${expected} (${where}) delivered to the ${line.to ?? 'receiver'} ${ago(line.at)}`);
    }
    return pass(found.join('; '));
  },
};
