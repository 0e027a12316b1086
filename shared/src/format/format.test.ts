import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatDuration, UNKNOWN_BYTES, UNKNOWN_DURATION } from './index.ts';

// These are the strings the player (P2P overlay, cards, history), the studio (library, project facts,
// jobs, preview clock) and the CLI (probe, transcode ETA, publish progress) show.
describe('formatBytes', () => {
  it('shows whole bytes below one kilobyte', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(12.4), '12 B');
  });
  it('uses decimal SI units with one decimal below 10 and whole numbers above', () => {
    assert.equal(formatBytes(1000), '1.0 kB');
    assert.equal(formatBytes(1536), '1.5 kB');
    assert.equal(formatBytes(12_345), '12 kB');
    assert.equal(formatBytes(12_345_678), '12 MB');
    assert.equal(formatBytes(4_700_000_000), '4.7 GB');
    assert.equal(formatBytes(2.5e12), '2.5 TB');
    assert.equal(formatBytes(3e18), '3000 PB');
  });
  it('carries a value that rounds to 1000 into the next unit, and 9.96 to "10" without a decimal', () => {
    assert.equal(formatBytes(999.6), '1.0 kB');
    assert.equal(formatBytes(999_600), '1.0 MB');
    assert.equal(formatBytes(9_960), '10 kB');
    assert.equal(formatBytes(9_949), '9.9 kB');
  });
  it('shows unknown sizes as a dash instead of inventing "0 B"', () => {
    assert.equal(UNKNOWN_BYTES, '—');
    for (const unknown of [null, undefined, Number.NaN, -1, Number.POSITIVE_INFINITY]) assert.equal(formatBytes(unknown), UNKNOWN_BYTES, String(unknown));
  });
});

describe('formatDuration', () => {
  it('shows m:ss below an hour and h:mm:ss from an hour', () => {
    assert.equal(formatDuration(0), '0:00');
    assert.equal(formatDuration(5), '0:05');
    assert.equal(formatDuration(75), '1:15');
    assert.equal(formatDuration(3599), '59:59');
    assert.equal(formatDuration(3600), '1:00:00');
    assert.equal(formatDuration(3725), '1:02:05');
    assert.equal(formatDuration(36_000 + 61), '10:01:01');
  });
  it('drops fractions as media players do, so the clock reaches the duration together with it', () => {
    assert.equal(formatDuration(59.99), '0:59');
    assert.equal(formatDuration(75.5), '1:15');
  });
  it('shows unknown durations (not loaded, live, negative) as a placeholder clock', () => {
    assert.equal(UNKNOWN_DURATION, '–:––');
    for (const unknown of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, -1]) assert.equal(formatDuration(unknown), UNKNOWN_DURATION, String(unknown));
  });
});
