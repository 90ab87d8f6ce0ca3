import { describe, expect, it } from 'vitest';
import {
  formatByteRate,
  formatBytes,
  formatCount,
  formatDuration,
  formatMs,
  formatRate,
  formatShortDateTime,
} from './format.js';

describe('format', () => {
  it('counts: exact below 10,000, compact above', () => {
    expect(formatCount(950)).toBe('950');
    expect(formatCount(9950)).toBe('9,950');
    expect(formatCount(12_345)).toBe('12.3K');
    expect(formatCount(3_400_000)).toBe('3.4M');
    expect(formatCount(null)).toBe('—');
  });

  it('rates with one decimal when small', () => {
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(0.44)).toBe('0.4/s');
    expect(formatRate(12.4)).toBe('12/s');
    expect(formatRate(1234)).toBe('1.2K/s');
  });

  it('sizes in SI units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3_400_000)).toBe('3.4 MB');
    expect(formatBytes(210_000_000)).toBe('210 MB');
    expect(formatByteRate(3_400_000)).toBe('3.4 MB/s');
  });

  it('durations as the two largest units', () => {
    expect(formatDuration(12_000)).toBe('12s');
    expect(formatDuration(250_000)).toBe('4m 10s');
    expect(formatDuration(5 * 3_600_000 + 12 * 60_000)).toBe('5h 12m');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3d 4h');
    expect(formatMs(4.25)).toBe('4.3 ms');
  });

  it('local times, with the year only when it is not this one', () => {
    const now = new Date(2026, 11, 2, 12);
    expect(formatShortDateTime(new Date(2026, 11, 2, 9, 5, 7), now)).not.toMatch(/2026/);
    expect(formatShortDateTime(new Date(2025, 0, 3, 9, 5), now)).toMatch(/2025/);
  });
});
