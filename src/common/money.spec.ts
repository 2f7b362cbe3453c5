import { DomainError } from './errors/domain-error';
import { currencyExponent, fromMinorUnits, toMinorUnits } from './money';

describe('money in minor units', () => {
  it.each([
    ['128.50', 'CNY', 12850n],
    ['128.5', 'CNY', 12850n],
    ['0.01', 'GBP', 1n],
    ['1000', 'JPY', 1000n],
    ['1.234', 'KWD', 1234n],
    ['999999999999.99', 'USD', 99999999999999n],
  ])('%s %s → %s', (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toBe(minor);
  });

  it.each([
    [12850n, 'CNY', '128.50'],
    [5n, 'CNY', '0.05'],
    [0n, 'GBP', '0.00'],
    [-1999n, 'GBP', '-19.99'],
    [1000n, 'JPY', '1000'],
    [1234n, 'KWD', '1.234'],
  ])('%s %s → "%s"', (minor, currency, text) => {
    expect(fromMinorUnits(minor, currency)).toBe(text);
  });

  it('round-trips without float drift', () => {
    for (const amount of ['0.10', '0.20', '0.30', '19.99', '1234567.89']) {
      expect(fromMinorUnits(toMinorUnits(amount, 'CNY'), 'CNY')).toBe(amount);
    }
  });

  it.each([
    ['12.345', 'CNY', 'too_precise'],
    ['1.5', 'JPY', 'too_precise'],
    ['-1.00', 'CNY', 'invalid_amount'],
    ['1e3', 'CNY', 'invalid_amount'],
    ['12,50', 'CNY', 'invalid_amount'],
    ['', 'CNY', 'invalid_amount'],
    ['1.00', 'XXX', 'unknown_currency'],
  ])('refuses %j %s with %s', (amount, currency, code) => {
    try {
      toMinorUnits(amount, currency, 'total');
      throw new Error('expected refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).options.errors?.[0].code).toBe(code);
    }
  });

  it('reads every length of amount exactly, up to 15 whole digits and the currency decimals', () => {
    // The digits, the fraction padded to the exponent, as one BigInt: the definition.
    const expected = (amount: string, exponent: number) => {
      const [whole, fraction = ''] = amount.replace('-', '').split('.');
      const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
      return amount.startsWith('-') ? -minor : minor;
    };
    const wholes = ['0', '7', '00012', '999999999999', '9007199254740', '123456789012345'];
    for (const [currency, exponent] of [
      ['JPY', 0],
      ['CNY', 2],
      ['BHD', 3],
    ] as const) {
      for (const whole of wholes) {
        for (let decimals = 0; decimals <= exponent; decimals++) {
          const amounts = [
            whole,
            `${whole}.${'9'.repeat(decimals)}`,
            `${whole}.${'0'.repeat(decimals)}`,
          ];
          for (const amount of decimals ? amounts : [whole]) {
            expect(toMinorUnits(amount, currency)).toBe(expected(amount, exponent));
            expect(toMinorUnits(`-${amount}`, currency, 'delta', { allowNegative: true })).toBe(
              expected(`-${amount}`, exponent),
            );
          }
        }
      }
    }
  });

  it('allows negatives only when asked', () => {
    expect(toMinorUnits('-5.00', 'CNY', 'delta', { allowNegative: true })).toBe(-500n);
  });

  it('knows ISO 4217 exponents', () => {
    expect([currencyExponent('CNY'), currencyExponent('JPY'), currencyExponent('BHD')]).toEqual([
      2, 0, 3,
    ]);
  });
});
