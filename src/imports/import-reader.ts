import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { DomainError } from '../common/errors/domain-error';

export type ImportFormat = 'csv' | 'ndjson';
export type ImportCharset = 'utf-8' | 'gb18030';

/** One source row: its values by header, or why it could not be read. */
export interface SourceRecord {
  /** Spreadsheet line number: the CSV header is line 1; NDJSON counts from 1. */
  line: number;
  values?: Record<string, string>;
  error?: { code: string; message: string; column?: string };
}

/** A longer record is refused (reported, skipped) instead of being buffered. */
export const MAX_RECORD_BYTES = 1024 * 1024;
const SNIFF_BYTES = 64 * 1024;
const ALIASES: Record<string, ImportCharset> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  gb18030: 'gb18030',
  gbk: 'gb18030',
  gb2312: 'gb18030',
};

export function parseCharset(value: string | undefined): ImportCharset | undefined {
  if (!value) return undefined;
  const charset = ALIASES[value.trim().toLowerCase()];
  if (!charset)
    throw DomainError.field(
      'charset',
      'unsupported_charset',
      'charset must be utf-8 or gb18030 (gbk and gb2312 are read as gb18030).',
    );
  return charset;
}

function isUtf8(bytes: Buffer): boolean {
  try {
    // stream: true lets a multi-byte character cut at the end of the sample pass.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Decodes the byte stream to text without buffering it: a UTF-8 BOM is dropped, a declared
 * charset is used as given, and an undeclared one is sniffed from the first 64 KB (valid
 * UTF-8 stays UTF-8, anything else is read as GB18030, what Chinese Excel writes). Bytes that
 * are not UTF-8 after UTF-8 was chosen fail the upload (415) rather than import mojibake.
 */
export async function* decodeText(
  body: AsyncIterable<Buffer | string>,
  declared: ImportCharset | undefined,
  detected: (c: ImportCharset) => void,
): AsyncGenerator<string> {
  let head = Buffer.alloc(0);
  const iterator = body[Symbol.asyncIterator]();
  let done = false;
  while (head.length < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head = Buffer.concat([
      head,
      Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value),
    ]);
  }
  if (head[0] === 0xff || head[0] === 0xfe)
    throw new DomainError(
      'unsupported_media_type',
      'UTF-16 files are not supported; save the file as UTF-8 or GB18030.',
    );
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head = head.subarray(3);
  const charset = declared ?? (isUtf8(head) ? 'utf-8' : 'gb18030');
  detected(charset);
  const chunks = async function* () {
    if (head.length) yield head;
    while (!done) {
      const next = await iterator.next();
      if (next.done) break;
      yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    }
  };
  if (charset === 'gb18030') {
    const decoder = iconv.getDecoder('gb18030');
    for await (const chunk of chunks()) {
      const text = decoder.write(chunk);
      if (text) yield text;
    }
    const rest = decoder.end();
    if (rest) yield rest;
    return;
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  for await (const chunk of chunks()) {
    try {
      yield decoder.decode(chunk, { stream: true });
    } catch {
      throw new DomainError(
        'unsupported_media_type',
        `The body is not valid UTF-8 (near byte ${offset}); declare charset=gb18030 if it came from Chinese Excel.`,
        {
          errors: [
            {
              field: 'charset',
              code: 'invalid_charset',
              message: 'The bytes do not match the charset.',
            },
          ],
        },
      );
    }
    offset += chunk.length;
  }
  yield decoder.decode();
}

const TOO_LONG = '\u0000record_too_long\u0000';

/**
 * Replaces a CSV record longer than MAX_RECORD_BYTES with a one-cell marker, so a 10 MB line
 * is neither buffered nor allowed to derail the parser. Quote parity tells a line break inside
 * a quoted cell from the end of a record.
 */
export async function* guardRecordSize(text: AsyncIterable<string>): AsyncGenerator<string> {
  let length = 0;
  let quoted = false;
  let dropping = false;
  const special = /["\n]/g;
  for await (const chunk of text) {
    let out = '';
    let start = 0;
    special.lastIndex = 0;
    for (let m = special.exec(chunk); ; m = special.exec(chunk)) {
      const end = m ? m.index : chunk.length;
      const piece = chunk.slice(start, end);
      if (!dropping) {
        length += piece.length;
        if (length > MAX_RECORD_BYTES) {
          dropping = true;
          out += TOO_LONG;
        } else out += piece;
      }
      if (!m) break;
      const c = m[0];
      start = end + 1;
      if (c === '"') {
        quoted = !quoted;
        if (!dropping) {
          out += c;
          length++;
        }
      } else if (!quoted) {
        // End of a record.
        out += '\n';
        length = 0;
        dropping = false;
      } else if (!dropping) {
        out += c;
        length++;
      }
    }
    if (out) yield out;
  }
}

/** Header names of a CSV file (trimmed, BOM-free); duplicates and blanks refused. */
function checkHeader(header: string[]): string[] {
  const names = header.map((h) => h.trim());
  const seen = new Set<string>();
  for (const name of names) {
    if (!name)
      throw DomainError.field('header', 'blank_column', 'Every column needs a header name.');
    if (seen.has(name))
      throw DomainError.field(
        'header',
        'duplicate_column',
        `Column "${name}" appears twice in the header.`,
      );
    seen.add(name);
  }
  return names;
}

/**
 * RFC 4180 CSV: quoted fields with commas, quotes and line breaks; rows with the wrong number
 * of cells, unterminated quotes and oversized records are reported per line and skipped.
 */
export async function* readCsv(
  text: AsyncIterable<string>,
  onHeader: (header: string[]) => void,
): AsyncGenerator<SourceRecord> {
  const skipped: SourceRecord[] = [];
  const parser = parse({
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      const line = Number((error as unknown as { lines?: number })?.lines ?? 0);
      const code =
        error?.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'unterminated_quote'
          : error?.code === 'CSV_MAX_RECORD_SIZE'
            ? 'record_too_long'
            : 'malformed_row';
      skipped.push({
        line,
        error: { code, message: error?.message ?? 'The row could not be read.' },
      });
      return undefined;
    },
  });
  Readable.from(guardRecordSize(text))
    .on('error', (e) => parser.destroy(e))
    .pipe(parser);
  let header: string[] | undefined;
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    while (skipped.length) yield skipped.shift()!;
    if (!header) {
      header = checkHeader(record);
      onHeader(header);
      continue;
    }
    const line = info.lines;
    if (record.some((cell) => cell.includes(TOO_LONG))) {
      yield {
        line,
        error: {
          code: 'record_too_long',
          message: `The row is longer than ${MAX_RECORD_BYTES} characters.`,
        },
      };
      continue;
    }
    if (record.length !== header.length) {
      yield {
        line,
        error: {
          code: 'ragged_row',
          message: `The row has ${record.length} cells; the header has ${header.length}.`,
        },
      };
      continue;
    }
    const values: Record<string, string> = {};
    header.forEach((name, i) => (values[name] = record[i]));
    yield { line, values };
  }
  while (skipped.length) yield skipped.shift()!;
  if (!header) onHeader([]);
}

/** Newline-delimited JSON objects; a line that is not one (or is over 1 MB) is reported and skipped. */
export async function* readNdjson(text: AsyncIterable<string>): AsyncGenerator<SourceRecord> {
  let buffer = '';
  let line = 0;
  let oversized = false;
  const emit = (raw: string): SourceRecord | undefined => {
    line++;
    const trimmed = raw.trim();
    if (!trimmed) return undefined;
    try {
      const value = JSON.parse(trimmed) as unknown;
      if (!value || typeof value !== 'object' || Array.isArray(value))
        return {
          line,
          error: { code: 'not_an_object', message: 'Each line must be a JSON object.' },
        };
      const values: Record<string, string> = {};
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === null || v === undefined) continue;
        values[key] = typeof v === 'object' ? JSON.stringify(v) : String(v);
      }
      return { line, values };
    } catch {
      return { line, error: { code: 'invalid_json', message: 'The line is not valid JSON.' } };
    }
  };
  for await (const chunk of text) {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      start = nl + 1;
      if (oversized) {
        oversized = false;
        line++;
        yield {
          line,
          error: {
            code: 'record_too_long',
            message: `The line is longer than ${MAX_RECORD_BYTES} bytes.`,
          },
        };
        buffer = '';
        continue;
      }
      const record = emit(buffer + piece);
      buffer = '';
      if (record) yield record;
    }
    if (!oversized) buffer += chunk.slice(start);
    if (buffer.length > MAX_RECORD_BYTES) {
      oversized = true;
      buffer = '';
    }
  }
  if (oversized) {
    line++;
    yield {
      line,
      error: {
        code: 'record_too_long',
        message: `The line is longer than ${MAX_RECORD_BYTES} bytes.`,
      },
    };
  } else if (buffer.trim()) {
    const record = emit(buffer);
    if (record) yield record;
  }
}
