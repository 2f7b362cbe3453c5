import { addDays, daysDue, localTime } from './schedule-calendar';

describe('schedule calendar', () => {
  it('reads the tenant-local day and time', () => {
    expect(localTime(new Date('2026-11-23T16:30:00Z'), 'Asia/Shanghai')).toEqual({
      day: '2026-11-24',
      time: '00:30',
    });
    expect(localTime(new Date('2026-11-23T16:30:00Z'), 'America/New_York')).toEqual({
      day: '2026-11-23',
      time: '11:30',
    });
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });

  it('owes today only once its time has come, and every missed day after downtime', () => {
    expect(daysDue(undefined, { day: '2026-11-23', time: '08:59' }, '09:00')).toEqual([]);
    expect(daysDue(undefined, { day: '2026-11-23', time: '09:00' }, '09:00')).toEqual([
      '2026-11-23',
    ]);
    expect(daysDue('2026-11-23', { day: '2026-11-23', time: '23:00' }, '09:00')).toEqual([]);
    expect(daysDue('2026-11-20', { day: '2026-11-23', time: '08:00' }, '09:00')).toEqual([
      '2026-11-21',
      '2026-11-22',
    ]);
    expect(daysDue('2026-11-20', { day: '2026-11-23', time: '10:00' }, '09:00')).toEqual([
      '2026-11-21',
      '2026-11-22',
      '2026-11-23',
    ]);
  });

  it('bounds the catch-up to a week', () => {
    expect(daysDue('2026-01-01', { day: '2026-11-23', time: '10:00' }, '09:00')).toHaveLength(8);
  });
});
