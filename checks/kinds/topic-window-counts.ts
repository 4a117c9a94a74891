/**
 * Windowed counts are right, judged from the topics alone (the Flink variant of step 7; any engine that writes one
 * final row per group and window): the newest window in the output holds, per group, the number of the source's
 * records whose event time falls in it; every window is `windowMs` long and starts on a multiple of it. An output
 * with no window at all while the source already spans several says the windows never close (no watermark).
 */
import { readNewest } from '#checks/clients/kafka-read.js';
import { column, parseJson, recordsSince } from '#checks/clients/ksql-look.js';
import { missingTopics } from '#checks/clients/topic-progress.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';
import { formatClock } from '#core/wait.js';

interface TopicWindowCounts {
  source: string;
  output: string;
  groupBy: string;
  count: string;
  windowMs: number;
  /** The source's field of event time (epoch ms) the windows are made of. */
  timeField: string;
  /** The output's field holding a window's start (epoch ms). */
  windowStartField: string;
  /** How long a window may take to come out after its end (the watermark's delay and the idle sources'). */
  closedAfterMs: number;
  neverClosedHint?: string;
}

const counts = (map: Map<string, number>) =>
  [...map]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, n]) => `${group} ${n}`)
    .join(', ') || 'none';

export const topicWindowCounts: ExpectationKind<TopicWindowCounts> = {
  kind: 'topic-window-counts',
  deadlineMs: 30_000,
  deadlineFor: ({ windowMs, closedAfterMs }) => windowMs + closedAfterMs + 30_000,
  parse: (params) => {
    params.only([
      'source',
      'output',
      'groupBy',
      'count',
      'windowMs',
      'timeField',
      'windowStartField',
      'closedAfterMs',
      'neverClosedHint',
    ]);
    return {
      source: params.string('source'),
      output: params.string('output'),
      groupBy: params.string('groupBy'),
      count: params.string('count'),
      windowMs: params.number('windowMs', 60_000),
      timeField: params.string('timeField'),
      windowStartField: params.string('windowStartField'),
      closedAfterMs: params.number('closedAfterMs', 15_000),
      neverClosedHint: params.optionalString('neverClosedHint'),
    };
  },
  judges: ({ output }) => output,
  object: ({ output }) => `counts in topic ${output}`,
  expected: ({ source, groupBy, windowMs, timeField }) =>
    `one row per ${groupBy} and ${windowMs / 1000} s window of ${timeField}, counting ${source}'s records in it`,
  observe: async (params, { services }): Promise<Observation> => {
    const { output, windowMs, groupBy } = params;
    const absent = await missingTopics(services, [params.source], output);
    if (absent) return absent;
    const rows = (await readNewest(services, output, 200)).map((r) => parseJson(r.value));
    const starts = rows.map((r) => Number(column(r, params.windowStartField))).filter((s) => Number.isFinite(s));
    if (starts.length === 0) {
      const source = await readNewest(services, params.source, 2_000);
      const times = source.map((r) => Number(column(parseJson(r.value), params.timeField))).filter(Number.isFinite);
      const span = times.length === 0 ? 0 : Math.max(...times) - Math.min(...times);
      if (rows.length > 0) return fail(`the records of ${output} have no ${params.windowStartField}`);
      if (span > 2 * windowMs + params.closedAfterMs) {
        return fail(
          `no window has come out of ${output}, though ${params.source} holds ${Math.round(span / 1000)} s of records: its windows never close`,
          params.neverClosedHint,
        );
      }
      return notYet(
        `no window has closed yet: a window comes out once the records are ${params.closedAfterMs / 1000} s past its end`,
      );
    }
    const odd = starts.find((s) => s % windowMs !== 0);
    if (odd !== undefined) {
      return fail(`a window of ${output} starts at ${formatClock(odd)} (UTC): not on a ${windowMs / 1000} s boundary`);
    }
    const newest = Math.max(...starts);
    const counted = new Map<string, number>();
    for (const row of rows) {
      if (Number(column(row, params.windowStartField)) !== newest) continue;
      counted.set(String(column(row, groupBy)), Number(column(row, params.count)));
    }
    // The source's records of that window: written up to closedAfterMs after their event time.
    const recount = new Map<string, number>();
    for (const record of await recordsSince(services, params.source, newest - params.closedAfterMs)) {
      const value = parseJson(record.value);
      const time = Number(column(value, params.timeField));
      if (!(time >= newest && time < newest + windowMs)) continue;
      const group = column(value, groupBy);
      if (group === undefined || group === null) continue;
      recount.set(String(group), (recount.get(String(group)) ?? 0) + 1);
    }
    const window = `${formatClock(newest)}–${formatClock(newest + windowMs)} (UTC)`;
    const same = recount.size === counted.size && [...recount].every(([group, n]) => counted.get(group) === n);
    if (!same) {
      return fail(
        `for the window ${window}, ${output} counts ${counts(counted)}; ${params.source} holds ${counts(recount)}`,
      );
    }
    return pass(`window ${window}: ${counts(counted)}, as in ${params.source}`);
  },
};
