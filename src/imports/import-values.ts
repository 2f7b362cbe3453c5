/**
 * Cell-level rules shared by the customer and transaction imports: date formats, numbers,
 * text clean-up and masking of personal data in error reports.
 */

export interface LocalDate {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC when the cell carried an offset. */
  offsetMinutes?: number;
}

const SEPARATED =
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:[ T]?(\d{2}):?(\d{2})(?::?(\d{2}))?)?$/;

/**
 * `2024/1/5`, `2024-01-05`, `20240105`, optionally with a time (`2024-01-05 08:26[:00]`) and an
 * offset (`Z`, `+08:00`). Day-first and month-first forms (`05/01/2024`) are refused because
 * they are ambiguous; the error report names the line so the file can be fixed.
 */
export function parseDateCell(input: string): LocalDate | undefined {
  const text = input.trim();
  const match = SEPARATED.exec(text) ?? COMPACT.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match
    .slice(1, 7)
    .map((v) => (v === undefined ? 0 : Number(v)));
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || year < 1900 || year > 2100)
    return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const result: LocalDate = { year, month, day, hour, minute, second };
  const offset = match[7];
  if (offset) {
    if (offset === 'Z') result.offsetMinutes = 0;
    else {
      const digits = offset.replace(':', '');
      const sign = digits[0] === '-' ? -1 : 1;
      result.offsetMinutes = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
    }
  }
  return result;
}

export function isoDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

const offsetCache = new Map<string, Intl.DateTimeFormat>();
/** Offsets already worked out, per zone and UTC minute (offsets change only on whole minutes). */
const minuteOffsets = new Map<string, number>();

/** Minutes east of UTC of `zone` at the instant `utcMs`. */
function zoneOffset(zone: string, utcMs: number): number {
  // Lines of one receipt share their minute: formatToParts was a tenth of a receipt import.
  const key = `${zone}|${Math.floor(utcMs / 60000)}`;
  const known = minuteOffsets.get(key);
  if (known !== undefined) return known;
  if (minuteOffsets.size >= 100_000) minuteOffsets.clear();
  const offset = computeZoneOffset(zone, utcMs);
  minuteOffsets.set(key, offset);
  return offset;
}

function computeZoneOffset(zone: string, utcMs: number): number {
  let format = offsetCache.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetCache.set(zone, format);
  }
  const parts = Object.fromEntries(
    format.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return Math.round((asUtc - utcMs) / 60000);
}

/** The instant of a local wall-clock time in `zone` (or of the cell's own offset). */
export function toInstant(date: LocalDate, zone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, date.hour, date.minute, date.second);
  if (date.offsetMinutes !== undefined) return new Date(wall - date.offsetMinutes * 60000);
  // Two passes settle the offset across a daylight-saving change.
  let offset = zoneOffset(zone, wall);
  offset = zoneOffset(zone, wall - offset * 60000);
  return new Date(wall - offset * 60000);
}

/** A decimal number cell (`12`, `-3`, `2.55`, `1,234.50`); undefined when it is not one. */
export function parseNumberCell(input: string): number | undefined {
  const text = input
    .trim()
    .replace(
      /^(-?)(\d{1,3}(?:,\d{3})+)(\.\d+)?$/,
      (_, s: string, i: string, f: string | undefined) => `${s}${i.replace(/,/g, '')}${f ?? ''}`,
    );
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Full-width ASCII (ＡＢＣ１２３＠) to half-width, ideographic space to space; Chinese characters untouched. */
export function toHalfWidth(input: string): string {
  return input
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}

/** What cleanText changes: NUL, white space (ideographic space included), full-width ASCII. */
// eslint-disable-next-line no-control-regex
const UNCLEAN = /[\s\u0000\uff01-\uff5e]/;

/** Trimmed, half-width, inner runs of white space collapsed, NUL removed (PostgreSQL refuses it). */
export function cleanText(input: string): string {
  // Most cells (phones, e-mails, dates, ids, Chinese names) hold none of it: four regex passes
  // a cell were a few µs and a couple of KB of garbage a row of a bulk import.
  if (!UNCLEAN.test(input)) return input;
  // eslint-disable-next-line no-control-regex
  return toHalfWidth(input.replace(/\u0000/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
}

const PII_FIELDS = new Set(['phone', 'email', 'birthday', 'address.line', 'customerPhone', 'name']);

/** What an error report may show of a cell: personal data keeps its first and last characters. */
export function maskValue(field: string | undefined, value: string | undefined): string | null {
  if (value === undefined) return null;
  const text = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  if (!field || !PII_FIELDS.has(field)) return text;
  if (text.length <= 2) return '*'.repeat(text.length);
  const keep = text.length > 6 ? 2 : 1;
  return `${text.slice(0, keep)}${'*'.repeat(Math.max(text.length - keep * 2, 1))}${text.slice(-keep)}`;
}
