import { describe, expect, it } from 'vitest';
import { describeConditions, holds } from './ksql-look.js';

describe('conditions as ksqlDB judges them', () => {
  const like = (value: string) => ({ column: 'MESSAGE', op: 'LIKE' as const, value });

  it("LIKE: % is any text, _ one character, the rest literal and case-sensitive, as ksqlDB's LIKE", () => {
    const row = { message: 'Invalid user admin from 192.0.2.7 port 40022' };
    expect(holds(row, like('%Invalid user%'))).toBe(true);
    expect(holds(row, like('Invalid user%'))).toBe(true);
    expect(holds(row, like('%invalid user%'))).toBe(false);
    expect(holds(row, like('Invalid user'))).toBe(false);
    expect(holds(row, like('%192.0.2._ %'))).toBe(true);
    expect(holds({ message: 'Invalid user (x)' }, like('%(x)'))).toBe(true);
    expect(holds({ message: 'a\nInvalid user' }, like('%Invalid user%'))).toBe(true);
    expect(holds({ message: null }, like('%'))).toBe(false);
  });

  it('says a LIKE as the learner writes it', () => {
    expect(describeConditions([like('%Invalid user%')])).toBe("MESSAGE LIKE '%Invalid user%'");
  });
});
