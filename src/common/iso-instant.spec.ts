import { ISO_MAX_MS, ISO_MIN_MS, isoInstant } from './iso-instant';

describe('isoInstant', () => {
  it('writes what toISOString writes, from year 1 to 9999', () => {
    const edges = [
      ISO_MIN_MS,
      ISO_MAX_MS,
      0,
      -1,
      1,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(1900, 1, 28, 12),
      Date.UTC(1900, 2, 1),
      Date.UTC(2024, 11, 31, 23, 59, 59, 999),
      Date.UTC(2025, 0, 1),
      Date.UTC(1969, 11, 31, 23, 59, 59, 999),
      Date.UTC(1600, 1, 29),
      Date.UTC(400, 2, 1),
      Date.UTC(9999, 0, 1),
    ];
    // A fixed-seed walk across the whole range (xorshift), every day of a few leap cycles.
    let seed = 0x2545f491;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 4294967296;
    };
    const samples = [
      ...edges,
      ...Array.from({ length: 200_000 }, () =>
        Math.floor(ISO_MIN_MS + random() * (ISO_MAX_MS - ISO_MIN_MS)),
      ),
      ...Array.from({ length: 3 * 1461 }, (_, i) => Date.UTC(1998, 0, 1) + i * 86_400_000 - 1),
    ];
    for (const ms of samples) {
      const date = new Date(ms);
      if (isoInstant(date) !== date.toISOString())
        expect(`${ms}: ${isoInstant(date)}`).toBe(`${ms}: ${date.toISOString()}`);
    }
  });

  it('leaves other instants to toISOString', () => {
    expect(isoInstant(new Date(ISO_MAX_MS + 1))).toBe('+010000-01-01T00:00:00.000Z');
    expect(isoInstant(new Date(ISO_MIN_MS - 1))).toBe('0000-12-31T23:59:59.999Z');
    expect(() => isoInstant(new Date(NaN))).toThrow(RangeError);
  });
});
