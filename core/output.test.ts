import { describe, expect, it } from 'vitest';
import { formatTable, tableRow } from './output.js';

describe('tableRow', () => {
  it('keeps a row printed as it arrives on one line, a wide cell pushing the rest along (a query’s epoch times)', () => {
    const row = tableRow(['platinum', '1796442771000', '1796442831000', '7'], [12, 12, 12, 12], '  ', { wrap: false });
    expect(row).toBe('platinum      1796442771000  1796442831000  7');
    expect(row).not.toContain('\n');
  });

  it('in a table, goes on under its columns after a cell wider than its column', () => {
    expect(tableRow(['a very long first cell', 'b'], [6, 1])).toBe('a very long first cell\n        b');
    expect(formatTable([['x', 'y']], { header: ['one', 'two'] })).toBe('one  two\nx    y');
  });
});
