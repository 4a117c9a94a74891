import { describe, expect, it } from 'vitest';
import { RatingSequence } from './rating.js';
import { SharedClaims, sharedClaimState } from './ratings-pool.js';

async function drain(claims: SharedClaims, max: number) {
  const all: { first: number; count: number }[] = [];
  for (let claim = await claims.next(max); claim; claim = await claims.next(max)) all.push(claim);
  return all;
}

describe('the claims the workers share', () => {
  it('start at the run’s first id, end at its last, and never cross a rating block', async () => {
    expect(RatingSequence.blockSize).toBe(500);
    const claims = new SharedClaims(sharedClaimState(251), 1_300);
    expect(await drain(claims, 500)).toEqual([
      { first: 251, count: 250 },
      { first: 501, count: 500 },
      { first: 1_001, count: 300 },
    ]);
  });

  it('from 1 without a count: whole blocks until stopped', async () => {
    const state = sharedClaimState(1);
    const claims = new SharedClaims(state, undefined);
    expect(await claims.next(500)).toEqual({ first: 1, count: 500 });
    expect(await claims.next(200)).toEqual({ first: 501, count: 200 });
    Atomics.store(state, 1, 1n);
    expect(await claims.next(500)).toBeUndefined();
  });

  it('two claimers take distinct ids and leave no gap', async () => {
    const state = sharedClaimState(7);
    const a = new SharedClaims(state, 2_000);
    const b = new SharedClaims(state, 2_000);
    const taken = (await Promise.all([drain(a, 100), drain(b, 100)])).flat();
    const ids = taken.flatMap((c) => Array.from({ length: c.count }, (_, i) => c.first + i)).sort((x, y) => x - y);
    expect(ids).toEqual(Array.from({ length: 1_994 }, (_, i) => i + 7));
  });
});
