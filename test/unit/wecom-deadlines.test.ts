import { afterEach, describe, expect, it, vi } from 'vitest';
import { CoarseDeadlines } from '../../server/wecom/deadlines.js';

describe('coarse hard deadlines', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('share one signal per second of deadline, aborted at that second’s end and never earlier', () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_200);
    const deadlines = new CoarseDeadlines(1_000);
    const first = deadlines.signal(11_000); // due 1_700_000_011_200 → fires at …012_000
    vi.advanceTimersByTime(500); // now …000_700
    expect(deadlines.signal(11_000)).toBe(first); // due …011_700, same second
    const later = deadlines.signal(11_400); // due …012_100, the next second
    expect(later).not.toBe(first);

    vi.advanceTimersByTime(11_200); // now …011_900: neither slot has ended
    expect(first.aborted).toBe(false);
    vi.advanceTimersByTime(100); // …012_000
    expect(first.aborted).toBe(true);
    expect((first.reason as Error).name).toBe('TimeoutError');
    expect(later.aborted).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(later.aborted).toBe(true);
    // a fired slot is forgotten: a new deadline gets a fresh signal
    expect(deadlines.signal(1_000).aborted).toBe(false);
  });
});
