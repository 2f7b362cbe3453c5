import { CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { maskEmail, maskPhone, maskText } from './customer-masking';
import {
  buildMemberNo,
  isValidMemberNo,
  luhnCheckDigit,
  namePinyin,
  normaliseEmail,
  normalisePhone,
  parseBirthday,
} from './customer-normalisation';

describe('phone normalisation', () => {
  it.each([
    '138 0013 8000',
    '+86 13800138000',
    '8613800138000',
    '008613800138000',
    '138-0013-8000',
    '(+86) 138 0013 8000',
  ])('%s → +8613800138000', (input) => {
    expect(normalisePhone(input, 'CN')).toBe('+8613800138000');
  });
  it('keeps foreign numbers in their own country', () => {
    expect(normalisePhone('+1 415 555 2671', 'CN')).toBe('+14155552671');
    expect(normalisePhone('(415) 555-2671', 'US')).toBe('+14155552671');
  });
  // What normalisePhone answered before bare mainland mobiles got their shortcut.
  const reference = (input: string, region: string) => {
    const trimmed = input.trim();
    if (!trimmed || trimmed.length > 32 || /[a-z]/i.test(trimmed)) return undefined;
    const parsed = parsePhoneNumberFromString(trimmed, region as CountryCode);
    return parsed?.isValid() ? parsed.number : undefined;
  };
  it('answers bare 11-digit numbers starting with 1 exactly as libphonenumber does', () => {
    // Deterministic pseudo-random digits (LCG), so a failure names the same numbers every run.
    let seed = 12345;
    const digits = (n: number) => {
      let out = '';
      for (let i = 0; i < n; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        out += String(Math.floor((seed / 2147483648) * 10));
      }
      return out;
    };
    const mismatches: string[] = [];
    let valid = 0;
    // Every five-digit start 10000–19999 (valid, invalid and carrier-code prefixes alike), two
    // seven-digit prefixes each and four numbers per prefix: the first one seen fills the
    // shortcut's memory for its prefix, the others are answered from it.
    for (let start = 10000; start <= 19999; start++)
      for (let p = 0; p < 2; p++) {
        const prefix = `${start}${digits(2)}`;
        for (let n = 0; n < 4; n++) {
          const number = `${prefix}${digits(4)}`;
          const expected = reference(number, 'CN');
          if (expected) valid++;
          if (normalisePhone(number, 'CN') !== expected) mismatches.push(number);
          if (normalisePhone(` ${number} `, 'CN') !== expected) mismatches.push(` ${number} `);
        }
      }
    expect(mismatches).toEqual([]);
    // The sample holds both answers, so neither side of the shortcut went untested.
    expect(valid).toBeGreaterThan(10_000);
    expect(valid).toBeLessThan(80_000);
  });
  it('leaves other regions and other shapes to libphonenumber', () => {
    expect(normalisePhone('13800138000', 'US')).toBe(reference('13800138000', 'US'));
    expect(normalisePhone('+8613800138000', 'US')).toBe('+8613800138000');
    expect(normalisePhone('17400123456', 'CN')).toBe('+8617400123456');
    expect(normalisePhone('17406123456', 'CN')).toBeUndefined();
    expect(normalisePhone('12012345678', 'CN')).toBe(reference('12012345678', 'CN'));
  });
  it.each(['12345', 'abc', '', '138001380001234567890123456789012345', '1380013800a'])(
    'refuses %p',
    (input) => {
      expect(normalisePhone(input, 'CN')).toBeUndefined();
    },
  );
});

describe('e-mail normalisation', () => {
  it('lower-cases and trims', () =>
    expect(normaliseEmail('  Zhang.San@Example.COM ')).toBe('zhang.san@example.com'));
  it.each([
    'no-at',
    'a@b',
    'a b@c.com',
    '@example.com',
    'a@@b.com',
    `${'x'.repeat(65)}@example.com`,
  ])('refuses %p', (input) => {
    expect(normaliseEmail(input)).toBeUndefined();
  });
});

describe('member number check digit', () => {
  it('computes the Luhn digit', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(buildMemberNo('M', '123456789')).toBe('M1234567897');
  });
  it('validates generated numbers and catches a typo or a transposition', () => {
    expect(isValidMemberNo('M1234567897', 'M')).toBe(true);
    expect(isValidMemberNo('M1234567898', 'M')).toBe(false);
    expect(isValidMemberNo('M2134567897', 'M')).toBe(false);
    expect(isValidMemberNo('X1234567897', 'M')).toBe(false);
  });
});

describe('birthday', () => {
  it('parses full dates and month-day', () => {
    expect(parseBirthday('1990-05-17')).toEqual({
      year: 1990,
      month: 5,
      day: 17,
      full: '1990-05-17',
    });
    expect(parseBirthday('--02-29')).toEqual({ year: null, month: 2, day: 29, full: null });
  });
  it.each(['1990-02-30', '1990-13-01', '05-17', '1800-01-01', '--02-30', '1990/05/17'])(
    'refuses %p',
    (input) => {
      expect(parseBirthday(input)).toBeUndefined();
    },
  );
});

describe('pinyin', () => {
  it('precomputes full pinyin and initials', () => {
    expect(namePinyin('张三')).toEqual({ full: 'zhangsan', initials: 'zs' });
    expect(namePinyin('王小明')).toEqual({ full: 'wangxiaoming', initials: 'wxm' });
    expect(namePinyin(null)).toEqual({ full: null, initials: null });
  });
});

describe('masking', () => {
  it('shows the first three and last four digits of a phone', () => {
    expect(maskPhone('+8613800138000')).toBe('138****8000');
    expect(maskPhone('+14155552671')).toBe('415***2671');
  });
  it('shows the first letter and the domain of an e-mail', () => {
    expect(maskEmail('zhang.san@example.com')).toBe('z***@example.com');
  });
  it('hides free text', () => expect(maskText('南京西路 1 号')).toBe('***'));
});
