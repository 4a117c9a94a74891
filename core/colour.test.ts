import { describe, expect, it } from 'vitest';
import { colourEnabled } from './colour.js';

describe('colours', () => {
  it('are on at a terminal and off in a pipe', () => {
    expect(colourEnabled({}, true)).toBe(true);
    expect(colourEnabled({}, false)).toBe(false);
  });

  it('follow NO_COLOR, TERM=dumb and FORCE_COLOR as chalk does', () => {
    expect(colourEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colourEnabled({ TERM: 'dumb' }, true)).toBe(false);
    expect(colourEnabled({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colourEnabled({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colourEnabled({ FORCE_COLOR: 'false', NO_COLOR: '' }, true)).toBe(false);
  });
});
