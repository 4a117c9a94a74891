import { describe, expect, it } from 'vitest';
import {
  isRating,
  type Rating,
  ratingAvroSchema,
  ratingFieldNames,
  ratingFields,
  ratingProblems,
  ratingRecordProblems,
} from './rating-schema.js';

const valid: Rating = {
  rating_id: 5313,
  user_id: 3,
  stars: 4,
  route_id: 6975,
  rating_time: 1_519_304_105_213,
  channel: 'web',
  message: 'Smooth flight and a friendly crew.',
};

describe('the rating schema', () => {
  it('accepts a rating like the talk’s, guests (user_id 0 and -1) included', () => {
    expect(ratingProblems(valid)).toEqual([]);
    expect(ratingProblems({ ...valid, user_id: -1 })).toEqual([]);
    expect(isRating({ ...valid, user_id: 0, channel: 'iOS-test' })).toBe(true);
  });

  it('names the field, what was expected and what was found', () => {
    expect(ratingProblems({ ...valid, stars: 7 })).toEqual(['stars: expected an integer 1..5, found 7']);
    expect(ratingProblems({ ...valid, stars: 2.5 })).toEqual(['stars: expected an integer 1..5, found 2.5']);
    expect(ratingProblems({ ...valid, stars: '4' })).toEqual([
      'stars: expected an integer 1..5, found "4" (a string, not a number)',
    ]);
    expect(ratingProblems({ ...valid, rating_id: 0 })).toEqual(['rating_id: expected an integer ≥ 1, found 0']);
    expect(ratingProblems({ ...valid, user_id: 2 ** 31 })).toEqual([
      'user_id: expected a 32-bit integer, found 2147483648',
    ]);
    expect(ratingProblems({ ...valid, channel: '' })).toEqual(['channel: expected a non-empty string, found ""']);
    expect(ratingProblems({ ...valid, message: null })).toEqual(['message: expected a string, found null']);
  });

  it('recognises epoch seconds where milliseconds belong', () => {
    expect(ratingProblems({ ...valid, rating_time: 1_519_304_105 })).toEqual([
      'rating_time: expected epoch milliseconds (an integer from 1000000000000, in 2001, on), found 1519304105 — that looks like epoch seconds: multiply by 1000',
    ]);
  });

  it('reports every problem at once: missing fields, wrong ones and unexpected ones', () => {
    const { rating_id: _, ...withoutId } = valid;
    expect(ratingProblems({ ...withoutId, ratingId: 1, stars: 0 })).toEqual([
      'rating_id: expected an integer ≥ 1, found nothing (the field is missing)',
      'stars: expected an integer 1..5, found 0',
      `ratingId: unexpected field; a rating has exactly ${ratingFieldNames.join(', ')}`,
    ]);
  });

  it('says what a value that is not an object is', () => {
    for (const value of [null, 'a rating', 42, [valid]]) {
      const [problem, ...rest] = ratingProblems(value);
      expect(rest).toEqual([]);
      expect(problem).toMatch(/^value: expected a JSON object with the fields rating_id, .*, found /);
    }
    expect(ratingProblems('x'.repeat(100))[0]).toMatch(/found "x{56}\.\.\.$/);
  });

  it('checks a Kafka record: JSON value, and the key is the rating_id as a string', () => {
    expect(ratingRecordProblems({ key: '5313', value: JSON.stringify(valid) })).toEqual([]);
    expect(ratingRecordProblems({ key: null, value: JSON.stringify(valid) })).toEqual([
      'key: expected "5313" (the rating_id as a string), found null',
    ]);
    expect(ratingRecordProblems({ key: '1', value: '{"rating_id": 1' })).toEqual([
      'value: expected JSON, found "{\\"rating_id\\": 1"',
    ]);
    expect(ratingRecordProblems({ key: '1', value: null })).toEqual([
      'value: expected a JSON rating, found null (a tombstone)',
    ]);
  });

  it('derives the Avro schema from the same fields, in the same order', () => {
    expect(ratingAvroSchema.fields.map((f) => [f.name, f.type])).toEqual(ratingFields.map((f) => [f.name, f.type]));
    expect(ratingFields.map((f) => f.ksqlDbType)).toEqual([
      'BIGINT',
      'INT',
      'INT',
      'INT',
      'BIGINT',
      'VARCHAR',
      'VARCHAR',
    ]);
  });
});
