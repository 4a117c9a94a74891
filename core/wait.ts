/**
 * The one way the kit waits: a probe, a deadline, an interval, and a message for the timeout. Never a bare sleep.
 * The clock is a parameter so tests can run a long deadline in no time.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { TimeoutError, WorkshopError } from './errors.js';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => delay(ms),
};

/** What a probe says when its condition is not met yet: why not, shown if the deadline passes. */
export class NotYet {
  constructor(readonly reason: string) {}
}

export interface WaitOptions<T> {
  /** What is awaited, for the timeout message: "Kafka to answer a metadata request". */
  what: string;
  /** Returns the awaited value, or a NotYet; a thrown error also counts as not yet, unless it is a WorkshopError. */
  probe: () => Promise<T | NotYet>;
  timeoutMs: number;
  intervalMs?: number;
  clock?: Clock;
  /** Checked before every probe: a message here ends the wait at once (a server process that exited, say). */
  giveUpIf?: () => string | undefined;
}

export async function waitFor<T>(options: WaitOptions<T>): Promise<T> {
  const clock = options.clock ?? systemClock;
  const interval = options.intervalMs ?? 250;
  const deadline = clock.now() + options.timeoutMs;
  let lastReason = 'no answer yet';
  for (;;) {
    const reasonToStop = options.giveUpIf?.();
    if (reasonToStop !== undefined) {
      throw new WorkshopError(`gave up waiting for ${options.what}: ${reasonToStop}`);
    }
    try {
      const result = await options.probe();
      if (!(result instanceof NotYet)) return result;
      lastReason = result.reason;
    } catch (error) {
      if (error instanceof WorkshopError) throw error;
      lastReason = error instanceof Error ? error.message : String(error);
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      throw new TimeoutError(
        `timed out after ${formatSeconds(options.timeoutMs)} waiting for ${options.what}; last seen: ${lastReason}`,
      );
    }
    await clock.sleep(Math.min(interval, remaining));
  }
}

export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** A moment as the checks print it: hh:mm:ss, UTC (say "(UTC)" beside it). */
export function formatClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
