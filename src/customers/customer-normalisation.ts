import { CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { pinyin } from 'pinyin-pro';

/**
 * Pure normalisation rules for personal data, so the same person typed three ways
 * (`138 0013 8000`, `+86 13800138000`, `8613800138000`) becomes one identity.
 */

/** E.164 (`+8613800138000`) or undefined when the input is not a valid number for the region. */
export function normalisePhone(input: string, region: string): string | undefined {
  const trimmed = input.trim();
  if (region === 'CN' && CN_MOBILE.test(trimmed)) return cnMobile(trimmed);
  return parsePhone(trimmed, region);
}

function parsePhone(trimmed: string, region: string): string | undefined {
  if (!trimmed || trimmed.length > 32 || /[a-z]/i.test(trimmed)) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed, region as CountryCode);
  return parsed?.isValid() ? parsed.number : undefined;
}

/**
 * Bare 11-digit mainland mobiles (`13800138000`) are most of a Chinese retailer's phones, and
 * libphonenumber costs ~10 µs and a dozen freshly compiled regexes a call: a tenth of a bulk
 * import's Node time, and much of its garbage. For these numbers China's metadata decides by
 * the first five digits at most (mobile `1740[0-5]…`, `1610…`, `1[38]\d…`; no other number type
 * starts with 13–19), and the E.164 form is `+86` and the digits, so libphonenumber's answer for
 * one number stands for every number sharing its first seven digits: it is asked once per
 * prefix and remembered. 11…, 12… and 179… are left out: those can start a carrier-selection
 * code, which libphonenumber strips depending on the rest of the number.
 * customer-normalisation.spec.ts checks the shortcut against libphonenumber prefix by prefix.
 */
const CN_MOBILE = /^1(?:[3-689]\d|7[0-8])\d{8}$/;
const PREFIX_BASE = 1_300_000;
/** By first seven digits − PREFIX_BASE: 0 not asked yet, 1 valid, 2 invalid, 3 ask every time. */
const cnMobilePrefixes = new Uint8Array(2_000_000 - PREFIX_BASE);

function cnMobile(digits: string): string | undefined {
  const slot = Number(digits.slice(0, 7)) - PREFIX_BASE;
  const known = cnMobilePrefixes[slot];
  if (known === 1) return `+86${digits}`;
  if (known === 2) return undefined;
  const e164 = parsePhone(digits, 'CN');
  if (known === 0)
    // Remembered only when it has the expected form; anything else keeps asking libphonenumber.
    cnMobilePrefixes[slot] = e164 === undefined ? 2 : e164 === `+86${digits}` ? 1 : 3;
  return e164;
}

/** The national significant number (`13800138000`), used for masking and the tail index. */
export function nationalNumber(e164: string): string {
  // Mainland China (+86) is the common case and needs no metadata: the country code is fixed.
  if (e164.startsWith('+86')) return e164.slice(3);
  return parsePhoneNumberFromString(e164)?.nationalNumber ?? e164.replace(/^\+/, '');
}

export function phoneTail(e164: string): string {
  return e164.slice(-4);
}

// Deliberately simple: one @, a dot in the domain, no spaces; the mailbox proves the rest.
const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;

/** Lower-cased and trimmed, or undefined when it is not an address. */
export function normaliseEmail(input: string): string | undefined {
  const value = input.trim().toLowerCase();
  return value.length <= 254 && EMAIL_PATTERN.test(value) ? value : undefined;
}

/** Luhn check digit over the digits of `body` (letters in a prefix are ignored). */
export function luhnCheckDigit(body: string): number {
  const digits = body.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** `<prefix><9 digits><check digit>`; the digits come from the caller (random or a sequence). */
export function buildMemberNo(prefix: string, digits: string): string {
  return `${prefix}${digits}${luhnCheckDigit(digits)}`;
}

/** True when a generated member number's last digit matches its Luhn check digit. */
export function isValidMemberNo(memberNo: string, prefix: string): boolean {
  if (!memberNo.startsWith(prefix)) return false;
  const digits = memberNo.slice(prefix.length);
  if (!/^\d{2,}$/.test(digits)) return false;
  return luhnCheckDigit(digits.slice(0, -1)) === Number(digits.slice(-1));
}

export function normaliseMemberNo(input: string): string {
  return input.trim().toUpperCase();
}

export interface ParsedBirthday {
  year: number | null;
  month: number;
  day: number;
  /** The full date, only when the year is known (personal data: stored encrypted). */
  full: string | null;
}

/** `YYYY-MM-DD` or `--MM-DD` (year unknown); undefined when not a real calendar date. */
export function parseBirthday(input: string): ParsedBirthday | undefined {
  const match = /^(?:(\d{4})|--)-?(\d{2})-(\d{2})$/.exec(input.trim());
  if (!match || (!match[1] && !input.startsWith('--'))) return undefined;
  const year = match[1] ? Number(match[1]) : null;
  const month = Number(match[2]);
  const day = Number(match[3]);
  // Leap year 2000 lets 29 February through when the year is unknown.
  const check = new Date(Date.UTC(year ?? 2000, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  if (year !== null && (year < 1900 || year > 2100)) return undefined;
  return {
    year,
    month,
    day,
    full: year !== null ? `${String(year).padStart(4, '0')}-${match[2]}-${match[3]}` : null,
  };
}

export function formatMonthDay(month: number, day: number): string {
  return `--${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export interface NamePinyin {
  full: string | null;
  initials: string | null;
}

/**
 * Names repeat a lot (a few thousand surname + given-name pairs cover most of a retailer's
 * members) and pinyin-pro costs tens of µs a call: an import of 1M rows spent seconds on it.
 * Bounded: cleared when full, so a file of unique names costs only the lookups.
 */
const PINYIN_CACHE_LIMIT = 50_000;
const pinyinCache = new Map<string, NamePinyin>();

/** Full pinyin (`zhangsan`) and initials (`zs`) of a name, precomputed on write for search. */
export function namePinyin(name: string | null | undefined): Readonly<NamePinyin> {
  if (!name) return { full: null, initials: null };
  const cached = pinyinCache.get(name);
  if (cached) return cached;
  if (pinyinCache.size >= PINYIN_CACHE_LIMIT) pinyinCache.clear();
  const computed = computePinyin(name);
  pinyinCache.set(name, computed);
  return computed;
}

function computePinyin(name: string): NamePinyin {
  const syllables = pinyin(name, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true })
    .map((s) => s.toLowerCase().replace(/[^a-z0-9]/g, ''))
    .filter(Boolean);
  if (!syllables.length) return { full: null, initials: null };
  return { full: syllables.join(''), initials: syllables.map((s) => s[0]).join('') };
}
