import { describe, expect, it } from 'vitest';
import { showKey } from './topic.js';

const windowed = (inner: string, start: number) => {
  const bytes = Buffer.alloc(Buffer.byteLength(inner) + 8);
  bytes.write(inner);
  bytes.writeBigInt64BE(BigInt(start), bytes.length - 8);
  return bytes;
};

describe('showKey', () => {
  it('shows a windowed key as its group and the window start, not the bytes', () => {
    const start = Date.UTC(2026, 11, 5, 10, 45);
    const shown = showKey({ key: 'garbage', keyBytes: windowed('7', start) });
    expect(shown).toMatch(/^7 \(window from \d\d:\d\d:00\)$/);
    expect(showKey({ key: 'garbage', keyBytes: windowed('"platinum"', start) })).toMatch(/^platinum \(window from /);
  });

  it('leaves text keys, short keys and no key alone', () => {
    expect(showKey({ key: 'customer-number-7', keyBytes: Buffer.from('customer-number-7') })).toBe('customer-number-7');
    expect(showKey({ key: '7', keyBytes: Buffer.from('7') })).toBe('7');
    expect(showKey({ key: null, keyBytes: null })).toBe('null');
  });
});
