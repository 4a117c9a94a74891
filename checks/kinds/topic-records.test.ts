import { describe, expect, it } from 'vitest';
import { formatExpectation } from '#checks/report.js';
import { repeatedKeysWarning } from './topic-records.js';

const ratings = { topic: 'ratings', keyField: 'rating_id', kitProducer: 'ratings-producer' };

describe('repeatedKeysWarning (two producers writing one topic)', () => {
  it('says nothing while every key of the newest records is its own', () => {
    expect(repeatedKeysWarning(['1', '2', '3', '4'], ratings, undefined)).toBeUndefined();
  });

  it('names the repeated keys and says the kit started no producer: both are the learner’s', () => {
    const warning = repeatedKeysWarning(['301', '302', '301', '303', '302'], ratings, undefined);
    expect(warning).toBe(
      'rating_id 301, 302 appear more than once among the newest 5 records: more than one producer is writing to topic "ratings" (each continues from the highest rating_id it saw); the kit started none, so they are yours. Keep one running and stop the others (Ctrl-C in its terminal)',
    );
  });

  it('names the kit’s own producer, with its pid, when it runs, and says to keep it', () => {
    const warning = repeatedKeysWarning(['7', '7', '8'], ratings, 4242);
    expect(warning).toContain('rating_id 7 appears more than once among the newest 3 records');
    expect(warning).toContain(
      'one is the kit\'s own (producer "ratings-producer", pid 4242, started by npm run solve), so keep it and stop yours. Keep one running',
    );
  });

  it('shows three keys and counts the rest', () => {
    const keys = ['1', '1', '2', '2', '3', '3', '4', '4', '5', '5'];
    expect(repeatedKeysWarning(keys, ratings, undefined)).toContain('rating_id 1, 2, 3 and 2 more appear');
  });
});

describe('a passing result with a warning', () => {
  it('prints the warning under the pass', () => {
    const text = formatExpectation(
      {
        kind: 'topic-records',
        object: 'topic "ratings"',
        outcome: 'pass',
        expected: 'records',
        found: '40 records',
        hint: '',
        elapsedMs: 1,
        warning: 'two producers',
      },
      'step-2',
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes.
    expect(text.replace(/\u001b\[[0-9;]*m/g, '')).toBe('  ✓ topic "ratings": 40 records\n      warning: two producers');
  });
});
