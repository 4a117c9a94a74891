import type { Clock } from '#core/wait.js';

/** A clock whose sleeps advance time at once, so a deadline of minutes costs nothing; it keeps every sleep asked of it. */
export function fakeClock(start = 0): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}
