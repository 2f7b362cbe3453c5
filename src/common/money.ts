import { DomainError } from './errors/domain-error';

/** ISO 4217 minor-unit exponents that differ from 2; every other listed currency uses 2. */
const EXPONENT_OVERRIDES: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

const KNOWN = new Set([
  ...Object.keys(EXPONENT_OVERRIDES),
  'AED',
  'AUD',
  'BRL',
  'CAD',
  'CHF',
  'CNY',
  'CZK',
  'DKK',
  'EUR',
  'GBP',
  'HKD',
  'HUF',
  'IDR',
  'ILS',
  'INR',
  'MOP',
  'MXN',
  'MYR',
  'NOK',
  'NZD',
  'PHP',
  'PLN',
  'RON',
  'RUB',
  'SAR',
  'SEK',
  'SGD',
  'THB',
  'TRY',
  'TWD',
  'USD',
  'ZAR',
]);

export function isCurrency(code: unknown): code is string {
  return typeof code === 'string' && KNOWN.has(code);
}

export function currencyExponent(currency: string): number {
  if (!isCurrency(currency))
    throw DomainError.field('currency', 'unknown_currency', `Unknown currency "${currency}".`);
  return EXPONENT_OVERRIDES[currency] ?? 2;
}

/**
 * "128.50" CNY → 12850n. Accepts at most the currency's decimals, never floats, never
 * exponents; `field` names the input in the error.
 */
const AMOUNT = /^\d{1,15}(\.\d+)?$/;
const SIGNED_AMOUNT = /^-?\d{1,15}(\.\d+)?$/;
/** Digits a double holds exactly (2^53 has 16): minor units this long are summed as numbers. */
const EXACT_DIGITS = 15;

export function toMinorUnits(
  amount: string,
  currency: string,
  field = 'amount',
  options: { allowNegative?: boolean } = {},
): bigint {
  const exponent = currencyExponent(currency);
  const pattern = options.allowNegative ? SIGNED_AMOUNT : AMOUNT;
  if (typeof amount !== 'string' || !pattern.test(amount)) {
    throw DomainError.field(
      field,
      'invalid_amount',
      `${field} must be a decimal string such as "128.50".`,
    );
  }
  const negative = amount.charCodeAt(0) === 45; // '-'
  const start = negative ? 1 : 0;
  const dot = amount.indexOf('.');
  const wholeDigits = (dot < 0 ? amount.length : dot) - start;
  const fractionDigits = dot < 0 ? 0 : amount.length - dot - 1;
  if (fractionDigits > exponent) {
    throw DomainError.field(
      field,
      'too_precise',
      `${field} has more than ${exponent} decimals for ${currency}.`,
    );
  }
  // The digits with the fraction padded to the exponent are the minor units. Up to 15 of
  // them are exact in a double: read digit by digit, without the split and padded copies
  // (a 500-receipt batch converts 3,500 amounts); longer ones by one BigInt parse.
  let minor: bigint;
  if (wholeDigits + exponent <= EXACT_DIGITS) {
    let value = 0;
    for (let i = start; i < amount.length; i++) {
      if (i !== dot) value = value * 10 + (amount.charCodeAt(i) - 48);
    }
    for (let i = fractionDigits; i < exponent; i++) value *= 10;
    minor = BigInt(value);
  } else {
    const whole = amount.slice(start, dot < 0 ? amount.length : dot);
    const fraction = dot < 0 ? '' : amount.slice(dot + 1);
    minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  }
  return negative ? -minor : minor;
}

/** 12850n CNY → "128.50". */
export function fromMinorUnits(minor: bigint | number | string, currency: string): string {
  const exponent = currencyExponent(currency);
  const value = BigInt(minor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(exponent + 1, '0');
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative ? `-${text}` : text;
}
