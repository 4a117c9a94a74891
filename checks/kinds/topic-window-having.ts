/**
 * Groups that pass a threshold in a window, told as the window goes (the Flink variant of step 12: a CUMULATE window
 * with HAVING), judged from the topics alone. Each output row is a group, a window and how far into the window it
 * counts (its step's end); so:
 * - every row starts its window on a multiple of `windowMs`, ends on a whole `stepMs` step inside it, and counts
 *   exactly the source's records of its group meeting the conditions with event time from the window's start up to
 *   the row's end, which reaches the threshold;
 * - every group that reached the threshold in a window has a row soon after: by the time the source's event time is
 *   `closedAfterMs` past the step in which it did, and no more than `stallMs` behind the steps that followed. A query
 *   that tells a window only at its end (a TUMBLE window) says so minutes late, and fails here.
 * The source's event time, not the clock, is the judge of "soon": a paused producer is no job's fault. A row overdue
 * while the output was written within `stallMs` (a job catching up from the start of its input), or while the output
 * topic does not exist yet, is waited for until the deadline.
 */
import { readNewest } from '#checks/clients/kafka-read.js';
import {
  type Condition,
  column,
  describeConditions,
  holds,
  parseConditions,
  parseJson,
  recordsSince,
} from '#checks/clients/ksql-look.js';
import { missingTopics } from '#checks/clients/topic-progress.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';
import { formatClock } from '#core/wait.js';

interface TopicWindowHaving {
  source: string;
  output: string;
  groupBy: string;
  count: string;
  where: Condition[];
  atLeast: number;
  windowMs: number;
  /** How often within a window the output tells the counts so far. */
  stepMs: number;
  /** The source's field of event time (epoch ms). */
  timeField: string;
  /** The output's fields holding a row's window start and the end of the stretch it counts (epoch ms). */
  windowStartField: string;
  windowEndField: string;
  /** How long after a step's end its rows may take to come out (the watermark's delay and an idle source's). */
  closedAfterMs: number;
  /** How far behind the source's event time a due row may be before the output counts as stalled. */
  stallMs: number;
  hint?: string;
  /** What to run once the query is mended, so the old job's rows go (appended to the hints of a wrong query). */
  retry?: string;
}

interface Row {
  group: string;
  start: number;
  end: number;
  count: number;
}

const between = (start: number, end: number) => `${formatClock(start)}–${formatClock(end)} (UTC)`;

export const topicWindowHaving: ExpectationKind<TopicWindowHaving> = {
  kind: 'topic-window-having',
  deadlineMs: 30_000,
  deadlineFor: ({ stepMs, closedAfterMs }) => stepMs + closedAfterMs + 30_000,
  parse: (params) => {
    params.only([
      'source',
      'output',
      'groupBy',
      'count',
      'where',
      'atLeast',
      'windowMs',
      'stepMs',
      'timeField',
      'windowStartField',
      'windowEndField',
      'closedAfterMs',
      'stallMs',
      'hint',
      'retry',
    ]);
    const parsed = {
      source: params.string('source'),
      output: params.string('output'),
      groupBy: params.string('groupBy'),
      count: params.string('count'),
      where: parseConditions(params),
      atLeast: params.number('atLeast', 3),
      windowMs: params.number('windowMs', 300_000),
      stepMs: params.number('stepMs', 10_000),
      timeField: params.string('timeField'),
      windowStartField: params.string('windowStartField'),
      windowEndField: params.string('windowEndField'),
      closedAfterMs: params.number('closedAfterMs', 15_000),
      stallMs: params.number('stallMs', 30_000),
      hint: params.optionalString('hint'),
      retry: params.optionalString('retry'),
    };
    if (parsed.windowMs % parsed.stepMs !== 0) {
      throw new Error(`windowMs (${parsed.windowMs}) must be a whole number of stepMs (${parsed.stepMs})`);
    }
    return parsed;
  },
  judges: ({ output }) => output,
  object: ({ output }) => `rows of topic ${output}`,
  expected: ({ source, groupBy, where, atLeast, windowMs, stepMs }) =>
    `every ${stepMs / 1000} s, one row per ${groupBy} and ${windowMs / 60_000}-minute window with at least ${atLeast} records of ${source} with ${describeConditions(where)} so far, counting exactly those`,
  observe: async (params, { services }): Promise<Observation> => {
    const { source, output, groupBy, windowMs, stepMs, atLeast, where } = params;
    const conditions = describeConditions(where);
    const mend = (hint: string) => (params.retry ? `${hint}; ${params.retry}` : hint);
    // A missing output is judged as an empty one: a job that tells a window only at its end writes nothing for minutes.
    const absent = await missingTopics(services, [source], output);
    if (absent?.outcome === 'fail') return absent;

    // The source's last two windows of its own event time, read by write time from its newest record back, with a
    // minute to spare: a producer paused for a while leaves them whole.
    const newestWritten = (await readNewest(services, source, 1)).reduce((t, r) => Math.max(t, r.timestamp), 0);
    const since = Math.min(Date.now(), newestWritten) - 2 * windowMs - 60_000;
    const inputs = (await recordsSince(services, source, since))
      .map((r) => parseJson(r.value))
      .map((value) => ({ value, time: Number(column(value, params.timeField)) }))
      .filter((r) => Number.isFinite(r.time));
    if (inputs.length === 0) {
      return notYet(
        `${source} has no records of the last ${Math.round((2 * windowMs + 60_000) / 60_000)} minutes to count`,
        'the ratings must be flowing and enriched: npm run check step-5',
      );
    }
    const sourceTime = inputs.reduce((t, r) => Math.max(t, r.time), Number.NEGATIVE_INFINITY);
    const from = Math.floor(sourceTime / windowMs) * windowMs - windowMs;

    // Per group and window: the event times of its records meeting the conditions, and of all its records.
    const tallies = new Map<string, { matching: number[]; all: number[] }>();
    for (const { value, time } of inputs) {
      if (time < from) continue;
      const group = column(value, groupBy);
      if (group === undefined || group === null) continue;
      const id = `${group}\u0000${Math.floor(time / windowMs) * windowMs}`;
      const tally = tallies.get(id) ?? { matching: [], all: [] };
      tallies.set(id, tally);
      tally.all.push(time);
      if (where.every((c) => holds(value, c))) tally.matching.push(time);
    }
    for (const tally of tallies.values()) {
      tally.matching.sort((a, b) => a - b);
      tally.all.sort((a, b) => a - b);
    }

    // The output's rows of those windows; per group and window, the one that counts furthest.
    const newest = new Map<string, Row>();
    let judged = 0;
    let lastWritten = Number.NEGATIVE_INFINITY;
    for (const record of absent ? [] : await recordsSince(services, output, from - 60_000)) {
      lastWritten = Math.max(lastWritten, record.timestamp);
      const value = parseJson(record.value);
      if (value === null || typeof value !== 'object') continue;
      const start = Number(column(value, params.windowStartField));
      const end = Number(column(value, params.windowEndField));
      const group = column(value, groupBy);
      if (!Number.isFinite(start) || !Number.isFinite(end) || group === undefined || group === null) {
        const fields = Object.keys(value).join(', ') || 'none';
        return fail(
          `a record of ${output} has no ${[groupBy, params.windowStartField, params.windowEndField].join(', ')} to judge it by (its fields: ${fields})`,
          params.hint,
        );
      }
      if (start < from) continue;
      judged += 1;
      const row: Row = { group: String(group), start, end, count: Number(column(value, params.count)) };
      const which = `${groupBy} ${row.group} in ${between(start, end)}`;
      if (start % windowMs !== 0) {
        return fail(
          `${output} has a row for ${which}, a window that starts off the ${windowMs / 60_000}-minute boundaries`,
          params.hint,
        );
      }
      if (end <= start || end > start + windowMs || (end - start) % stepMs !== 0) {
        return fail(
          `${output} has a row for ${which}, which is not a whole number of ${stepMs / 1000} s steps into its ${windowMs / 60_000}-minute window`,
          params.hint,
        );
      }
      if (Number.isNaN(row.count)) {
        return fail(`${output}'s row for ${which} has no ${params.count}`, params.hint);
      }
      if (row.count < atLeast) {
        return fail(
          `${output} holds ${which} with ${params.count} ${row.count}: fewer than ${atLeast}`,
          mend(`keep only the groups that reach ${atLeast}: HAVING COUNT(*) >= ${atLeast}`),
        );
      }
      const tally = tallies.get(`${row.group}\u0000${start}`) ?? { matching: [], all: [] };
      const upTo = (times: number[]) => times.filter((t) => t < end).length;
      const matching = upTo(tally.matching);
      if (row.count !== matching) {
        if (row.count === upTo(tally.all)) {
          return fail(
            `${output} counts ${row.count} for ${which}: every record of ${source} in it, ${matching} of which have ${conditions}`,
            mend(`count only the records with ${conditions}: WHERE ${conditions}`),
          );
        }
        return fail(
          `${output} counts ${row.count} for ${which}; ${source} holds ${matching} record(s) of it with ${conditions}`,
          params.hint,
        );
      }
      const id = `${row.group}\u0000${start}`;
      const before = newest.get(id);
      if (!before || before.end < end) newest.set(id, row);
    }

    // Every group that reached the threshold, once the source's event time is well past the step it did it in.
    const dueBy = sourceTime - params.closedAfterMs;
    const furthest = new Map<number, number>();
    for (const row of newest.values()) furthest.set(row.start, Math.max(furthest.get(row.start) ?? 0, row.end));
    let qualifying = 0;
    let waiting: string | undefined;
    for (const [id, tally] of tallies) {
      const reached = tally.matching[atLeast - 1];
      if (reached === undefined) continue;
      const [group, startText] = id.split('\u0000');
      const start = Number(startText);
      // The first step whose rows count that record, and the newest step whose rows should be out by now.
      const first = Math.min(start + windowMs, Math.floor(reached / stepMs) * stepMs + stepMs);
      const due = Math.min(start + windowMs, Math.floor(dueBy / stepMs) * stepMs);
      if (due < first) continue;
      qualifying += 1;
      const row = newest.get(id);
      const told = row && row.end >= first ? row.end : undefined;
      if (told !== undefined && due - told <= params.stallMs) continue;
      const lag = due - (told ?? first);
      const which = `${groupBy} ${group} in the window ${between(start, start + windowMs)}`;
      if (lag <= params.stallMs) {
        waiting ??= `${which} reached ${atLeast} records with ${conditions} by ${formatClock(first)}; no row of ${output} says so yet`;
        continue;
      }
      const others = furthest.get(start) ?? 0;
      const saying =
        told === undefined
          ? `${output} has no row for it since it reached ${atLeast} (by ${formatClock(first)})`
          : `${output}'s newest row for it counts up to ${formatClock(told)}`;
      if (others - (told ?? first) > params.stallMs) {
        // Other groups of the window are told well beyond it (not a step, as in a burst being written): left out.
        return fail(
          `${source} has ${tally.matching.filter((t) => t < others).length} records of ${which} with ${conditions} up to ${formatClock(others)}, but ${saying}`,
          mend(`a group with ${atLeast} or more must be there: WHERE ${conditions} … HAVING COUNT(*) >= ${atLeast}`),
        );
      }
      const late = `${source} has records up to ${formatClock(sourceTime)}, and ${which} reached ${atLeast} records with ${conditions} by ${formatClock(first)}, but ${saying}: the counts come out late, or not at all`;
      // Written to just now (a job catching up from the start of its input), or not at all yet: it may still come.
      if (absent || Date.now() - lastWritten < params.stallMs) {
        return { outcome: 'not-yet', found: late, atDeadline: 'fail', hint: params.hint };
      }
      return fail(late, params.hint);
    }
    if (absent) return absent;
    if (waiting) return { outcome: 'not-yet', found: waiting, atDeadline: 'fail', hint: params.hint };
    if (qualifying === 0) {
      return notYet(
        `no ${groupBy} has ${atLeast} records with ${conditions} in a window since ${formatClock(from)} (UTC) yet (${source} has records up to ${formatClock(sourceTime)})`,
      );
    }
    return pass(
      `${judged} row(s) in the windows since ${formatClock(from)} (UTC), each counting its ${groupBy}'s records of ${source} with ${conditions} up to its step's end (recounted), and each of the ${qualifying} that reached ${atLeast} is there, told up to ${formatClock([...furthest.values()].reduce((a, b) => Math.max(a, b), 0))}`,
    );
  },
};
