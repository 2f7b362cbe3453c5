import { localMonth } from './points-posting';

/** What localMonth must say: Intl's month of the instant in the zone, formatted every time. */
function intlMonth(instant: Date, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone, month: 'numeric' }).format(instant));
}

describe('localMonth', () => {
  // Whole-hour, half-hour and quarter-hour offsets, with and without daylight saving.
  const zones = [
    'UTC',
    'Europe/Helsinki',
    'Asia/Shanghai',
    'America/St_Johns',
    'Australia/Adelaide',
    'Asia/Kathmandu',
    'Pacific/Chatham',
    'America/Los_Angeles',
  ];

  it('gives the local month of every instant around local month starts, from the same zone over and over', () => {
    for (const timeZone of zones) {
      for (let year = 2024; year <= 2026; year++) {
        for (let month = 0; month < 12; month++) {
          // Local midnight of the 1st is within 14 hours of UTC midnight: walk ±15 h in 7-minute steps,
          // so instants share quarter hours and each answer is asked for more than once.
          const start = Date.UTC(year, month, 1) - 15 * 3600_000;
          for (let ms = start; ms <= start + 30 * 3600_000; ms += 7 * 60_000) {
            const instant = new Date(ms);
            expect([timeZone, instant.toISOString(), localMonth(instant, timeZone)]).toEqual([
              timeZone,
              instant.toISOString(),
              intlMonth(instant, timeZone),
            ]);
          }
        }
      }
    }
  });

  it('is exact a millisecond either side of a local month start', () => {
    // 2026-03-01 00:00 in Kathmandu (+05:45) is 2026-02-28T18:15:00Z.
    const first = Date.UTC(2026, 1, 28, 18, 15);
    expect(localMonth(new Date(first - 1), 'Asia/Kathmandu')).toBe(2);
    expect(localMonth(new Date(first), 'Asia/Kathmandu')).toBe(3);
  });

  it('formats instants before 1980, when offsets were not whole quarter hours', () => {
    // Monrovia was −00:44:30 until 1972: 1970-02-01 00:00 local is 1970-02-01T00:44:30Z.
    expect(localMonth(new Date(Date.UTC(1970, 1, 1, 0, 44, 29)), 'Africa/Monrovia')).toBe(1);
    expect(localMonth(new Date(Date.UTC(1970, 1, 1, 0, 44, 30)), 'Africa/Monrovia')).toBe(2);
  });
});
