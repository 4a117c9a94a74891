import { base, en, Faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { seededCustomerIds } from './customers.js';
import { channels, guestUserIds, makeRating, RatingSequence, toKafkaMessage } from './rating.js';
import { phrasesByStars } from './rating-phrases.js';
import { type Rating, ratingProblems } from './rating-schema.js';

const sentAt = 1_763_791_200_000;

function ratings(count: number, seed = 42): Rating[] {
  const sequence = new RatingSequence({ seed });
  return Array.from({ length: count }, (_, i) => sequence.make(i + 1, sentAt));
}

/** A phrase's template as a pattern: its slots match anything. */
function phrasePattern(phrase: string): RegExp {
  const escaped = phrase.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\\?\{(airport|seat|flight)\\?\}/g, '.+')}$`);
}

describe('rating events', () => {
  it('are valid against the rating schema, keyed by their rating_id', () => {
    for (const rating of ratings(2_000)) {
      expect(ratingProblems(rating), JSON.stringify(rating)).toEqual([]);
      expect(toKafkaMessage(rating)).toEqual({ key: String(rating.rating_id), value: JSON.stringify(rating) });
    }
  });

  it('count up from 1 and carry the time of sending', () => {
    const made = ratings(10);
    expect(made.map((r) => r.rating_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(made.map((r) => r.rating_time))).toEqual(new Set([sentAt]));
  });

  it('are the same for the same seed, and differ for another seed', () => {
    expect(ratings(600, 7)).toEqual(ratings(600, 7));
    expect(ratings(50, 7)).not.toEqual(ratings(50, 8));
  });

  it('do not depend on batching or on which producer makes which block of ids', () => {
    const sequential = ratings(1_200, 9);
    const sequence = new RatingSequence({ seed: 9 });
    // Blocks out of order, as parallel producers claim them, and one id on its own in the middle of a block.
    const shuffled = [1_001, 501, 1]
      .flatMap((first) => Array.from({ length: 200 }, (_, i) => first + i))
      .map((id) => sequence.make(id, sentAt));
    for (const rating of shuffled) expect(rating).toEqual(sequential[rating.rating_id - 1]);
    expect(new RatingSequence({ seed: 9 }).make(777, sentAt)).toEqual(sequential[776]);
  });

  it('are mostly good, with a steady share of poor ones', () => {
    const made = ratings(20_000);
    const share = (test: (r: Rating) => boolean) => made.filter(test).length / made.length;
    expect(share((r) => r.stars < 3)).toBeGreaterThan(0.14);
    expect(share((r) => r.stars < 3)).toBeLessThan(0.22);
    const counts = [1, 2, 3, 4, 5].map((stars) => share((r) => r.stars === stars));
    expect(Math.max(...counts)).toBe(counts[4]);
    expect(counts[3]).toBeGreaterThan(counts[2] as number);
  });

  it('come mostly from seeded customers, a few from guests no customer matches', () => {
    const made = ratings(20_000);
    const guests = made.filter((r) => (guestUserIds as readonly number[]).includes(r.user_id));
    expect(guests.length / made.length).toBeGreaterThan(0.03);
    expect(guests.length / made.length).toBeLessThan(0.07);
    for (const rating of made.filter((r) => !guests.includes(r))) {
      expect(rating.user_id).toBeGreaterThanOrEqual(seededCustomerIds.first);
      expect(rating.user_id).toBeLessThanOrEqual(seededCustomerIds.last);
    }
    // Every customer is heard from.
    expect(new Set(made.map((r) => r.user_id)).size).toBe(seededCustomerIds.last + guestUserIds.length);
  });

  it('use every channel of the talk, mixed case and test channel included', () => {
    expect(new Set(ratings(5_000).map((r) => r.channel))).toEqual(new Set(channels));
  });

  it('have a message that fits the stars', () => {
    for (const rating of ratings(3_000)) {
      const fits = phrasesByStars[rating.stars as 1 | 2 | 3 | 4 | 5].some((p) => phrasePattern(p).test(rating.message));
      expect(fits, `${rating.stars} stars: ${rating.message}`).toBe(true);
    }
  });

  it('can be made with any faker and another range of customers', () => {
    const faker = new Faker({ locale: [en, base] });
    faker.seed(1);
    const rating = makeRating(faker, 12, sentAt, { customers: { first: 100, last: 100 }, guestShare: 0 });
    expect(rating).toMatchObject({ rating_id: 12, user_id: 100, rating_time: sentAt });
  });
});
