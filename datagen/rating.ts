/**
 * Makes rating events like the ones in the talk's demo. This is the code the "Producer API" step shows: a rating is
 * a plain object, drawn with faker, and sent to Kafka with its rating_id as the key and JSON as the value.
 *
 * The numbers are not uniform, so the pipeline's later steps have something to find: most ratings are good but a
 * steady share is poor (STARS < 3), the message fits the stars, and a few ratings come from guests whose user_id no
 * customer has (the LEFT JOIN with CUSTOMERS leaves those without customer data).
 */
import { base, en, Faker } from '@faker-js/faker';
import { phrasesByStars } from './rating-phrases.js';
import type { Rating } from './rating-schema.js';

export type { Rating } from './rating-schema.js';

/**
 * Where ratings come from, as real apps report it: the same platform in two spellings (iOS, ios) and a test build
 * (iOS-test) among the real ones. Step 9's dashboard shows them as they are, and says how LCASE and a WHERE would
 * clean them.
 */
export const channels = ['web', 'iOS', 'ios', 'iOS-test', 'android'] as const;

/** User ids no customer has: ratings from guests. */
export const guestUserIds = [-1, 0] as const;

/** Ids of the customers that ratings come from: those of the seeded demo.CUSTOMERS rows. */
export interface CustomerIds {
  first: number;
  last: number;
}

export interface RatingOptions {
  customers: CustomerIds;
  /** Share of ratings from a guest, 0..1. */
  guestShare: number;
}

export const defaultRatingOptions: RatingOptions = { customers: { first: 1, last: 20 }, guestShare: 0.05 };

/** Mostly good, with a steady 18% of poor ratings (1 or 2 stars). */
const starWeights = [
  { value: 1, weight: 10 },
  { value: 2, weight: 8 },
  { value: 3, weight: 14 },
  { value: 4, weight: 30 },
  { value: 5, weight: 38 },
] as const;

const channelWeights = [
  { value: 'web', weight: 35 },
  { value: 'android', weight: 27 },
  { value: 'iOS', weight: 22 },
  { value: 'ios', weight: 11 },
  { value: 'iOS-test', weight: 5 },
] as const satisfies readonly { value: (typeof channels)[number]; weight: number }[];

/** One rating, drawn with `faker`. `ratingTime` is when it is sent, in epoch milliseconds. */
export function makeRating(
  faker: Faker,
  ratingId: number,
  ratingTime: number,
  options: RatingOptions = defaultRatingOptions,
): Rating {
  const stars = faker.helpers.weightedArrayElement(starWeights);
  const isGuest = faker.datatype.boolean({ probability: options.guestShare });
  return {
    rating_id: ratingId,
    user_id: isGuest
      ? faker.helpers.arrayElement(guestUserIds)
      : faker.number.int({ min: options.customers.first, max: options.customers.last }),
    stars,
    route_id: faker.number.int({ min: 1, max: 9999 }),
    rating_time: ratingTime,
    channel: faker.helpers.weightedArrayElement(channelWeights),
    message: writeMessage(faker, stars),
  };
}

/** A phrase that fits the stars, its slots filled with an airport, a seat or a flight. */
function writeMessage(faker: Faker, stars: 1 | 2 | 3 | 4 | 5): string {
  const phrase = faker.helpers.arrayElement(phrasesByStars[stars]);
  return phrase.replace(/\{(airport|seat|flight)\}/g, (_, slot: string) => {
    if (slot === 'airport') return faker.airline.airport().name;
    if (slot === 'seat') return faker.airline.seat();
    return `${faker.airline.airline().iataCode}${faker.airline.flightNumber()}`;
  });
}

/** The Kafka record for a rating: the rating_id as a string key, the rating as a JSON value. */
export function toKafkaMessage(rating: Rating): { key: string; value: string } {
  return { key: String(rating.rating_id), value: JSON.stringify(rating) };
}

/**
 * Ratings that can be made again: the same seed gives the same ratings, whatever the rate, the batching or the number
 * of producers, except rating_time (the moment of sending). Ids are drawn in blocks of `blockSize`, each from its own
 * seed, so producers working on different blocks make the same records one producer would.
 */
export class RatingSequence {
  static readonly blockSize = 500;
  readonly seed: number;
  private readonly faker = new Faker({ locale: [en, base] });
  private readonly options: RatingOptions;
  /** The id the faker's state is positioned to draw next. */
  private nextId: number | undefined;

  constructor(options: Partial<RatingOptions> & { seed?: number } = {}) {
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.options = {
      customers: options.customers ?? defaultRatingOptions.customers,
      guestShare: options.guestShare ?? defaultRatingOptions.guestShare,
    };
  }

  /** The rating with this id (1 or more), sent at `ratingTime`. */
  make(ratingId: number, ratingTime: number): Rating {
    const block = Math.floor((ratingId - 1) / RatingSequence.blockSize);
    const blockStart = block * RatingSequence.blockSize + 1;
    if (this.nextId !== ratingId || ratingId === blockStart) {
      this.faker.seed([this.seed, block]);
      // Draw and drop the block's earlier ratings, so any id can be made on its own.
      for (let skipped = blockStart; skipped < ratingId; skipped++) makeRating(this.faker, skipped, 0, this.options);
    }
    this.nextId = ratingId + 1;
    return makeRating(this.faker, ratingId, ratingTime, this.options);
  }
}
