import { describe, expect, it } from 'vitest';
import { ratingIdOf, tailRecords } from './last-rating-id.js';

describe('the rating_id of a record, to continue a topic', () => {
  it('is its key, the rating_id as a string', () => {
    expect(ratingIdOf({ key: Buffer.from('4711'), value: Buffer.from('not json') })).toBe(4711);
    expect(ratingIdOf({ key: '1', value: null })).toBe(1);
  });

  it('else its JSON value’s rating_id', () => {
    expect(ratingIdOf({ key: null, value: Buffer.from('{"rating_id":99,"stars":4}') })).toBe(99);
    expect(ratingIdOf({ key: 'r-12', value: '{"rating_id":12}' })).toBe(12);
  });

  it('else none: a record someone else wrote', () => {
    expect(ratingIdOf({ key: null, value: null })).toBeUndefined();
    expect(ratingIdOf({ key: 'abc', value: 'hello' })).toBeUndefined();
    expect(ratingIdOf({ key: '0', value: '{"rating_id":-1}' })).toBeUndefined();
    expect(ratingIdOf({ key: '99999999999999999', value: '{"rating_id":"7"}' })).toBeUndefined();
    expect(ratingIdOf({ key: null, value: '{"rating_id":' })).toBeUndefined();
  });

  it('is looked for in as many records as the producers of one run can have in flight', () => {
    expect(tailRecords).toBe(16 * 500);
  });
});
