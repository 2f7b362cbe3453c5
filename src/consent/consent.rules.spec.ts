import { isUnder14, localDate } from './consent.rules';

describe('consent rules: under 14', () => {
  const today = '2026-11-23';

  it('counts a child whose 14th birthday is tomorrow as a minor and today as not', () => {
    expect(isUnder14({ year: 2012, month: 11, day: 24 }, today)).toBe(true);
    expect(isUnder14({ year: 2012, month: 11, day: 23 }, today)).toBe(false);
    expect(isUnder14({ year: 2012, month: 11, day: 22 }, today)).toBe(false);
  });

  it('errs towards minor when month or day is unknown, and treats no birth year as not a minor', () => {
    expect(isUnder14({ year: 2012, month: null, day: null }, today)).toBe(true);
    expect(isUnder14({ year: 2012, month: 11, day: null }, today)).toBe(true);
    expect(isUnder14({ year: 2011, month: null, day: null }, today)).toBe(false);
    expect(isUnder14({ year: null, month: 5, day: 1 }, today)).toBe(false);
  });

  it('takes the date in the tenant time zone', () => {
    const instant = new Date('2026-11-23T17:00:00Z');
    expect(localDate(instant, 'Asia/Shanghai')).toBe('2026-11-24');
    expect(localDate(instant, 'UTC')).toBe('2026-11-23');
  });
});
