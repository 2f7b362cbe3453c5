import { Transform, TransformCallback } from 'node:stream';

/** Characters that make spreadsheet apps treat a cell as a formula (CSV/formula injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 field: quoted when it holds a quote, comma or line break (quotes doubled).
 * Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP advice),
 * so `=HYPERLINK(...)` in a customer's name stays text. Numbers are never touched.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = Array.isArray(value) ? value.join(';') : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export type RowProjector = (row: Record<string, unknown>) => Record<string, unknown>;

/**
 * Rows in, text chunks out. Lines are gathered into ~64 KB chunks so a million rows cost a
 * few thousand socket writes, not a million; backpressure still flows through `pipeline`.
 */
export class ExportEncoder extends Transform {
  rows = 0;
  private buffer = '';

  constructor(
    private readonly format: 'ndjson' | 'csv',
    private readonly columns: readonly string[],
    private readonly project: RowProjector,
    options: { bom: boolean },
  ) {
    super({ writableObjectMode: true, readableObjectMode: false, writableHighWaterMark: 1000 });
    if (options.bom && format === 'csv') this.buffer += '\uFEFF';
    if (format === 'csv') this.buffer += csvLine([...columns]);
  }

  override _transform(
    row: Record<string, unknown>,
    _encoding: BufferEncoding,
    callback: TransformCallback,
  ): void {
    const record = this.project(row);
    this.buffer +=
      this.format === 'ndjson'
        ? `${JSON.stringify(record)}\n`
        : csvLine(this.columns.map((c) => record[c]));
    this.rows++;
    if (this.buffer.length >= 65_536) {
      this.push(this.buffer);
      this.buffer = '';
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.buffer) this.push(this.buffer);
    this.buffer = '';
    callback();
  }
}

const LF = 0x0a;
const QUOTE = 0x22;
const CRLF = Buffer.from('\r\n');

/**
 * Turns the rows of `COPY … (FORMAT csv)` into the RFC 4180 file the cursor path writes: the
 * optional BOM and the header first, then every record end (a `\n` outside quotes) as CRLF.
 * Line breaks inside quoted cells stay as they are. Counts the records.
 */
export class CsvLineEnds extends Transform {
  rows = 0;
  private quoted = false;
  private started = false;

  constructor(
    private readonly columns: readonly string[],
    private readonly options: { bom: boolean },
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.start();
    const parts: Buffer[] = [];
    let from = 0;
    let lf = chunk.indexOf(LF);
    while (lf !== -1) {
      // Quotes between here and the line feed decide whether it ends a record (COPY doubles
      // quotes inside cells, so toggling per quote character tracks the state).
      for (let q = chunk.indexOf(QUOTE, from); q !== -1 && q < lf; q = chunk.indexOf(QUOTE, q + 1))
        this.quoted = !this.quoted;
      if (!this.quoted) {
        parts.push(chunk.subarray(from, lf), CRLF);
        this.rows++;
        from = lf + 1;
      } else {
        parts.push(chunk.subarray(from, lf + 1));
        from = lf + 1;
      }
      lf = chunk.indexOf(LF, from);
    }
    for (let q = chunk.indexOf(QUOTE, from); q !== -1; q = chunk.indexOf(QUOTE, q + 1))
      this.quoted = !this.quoted;
    parts.push(chunk.subarray(from));
    callback(null, Buffer.concat(parts));
  }

  override _flush(callback: TransformCallback): void {
    this.start();
    callback();
  }

  /** BOM and header go out even when the segment has no rows. */
  private start(): void {
    if (this.started) return;
    this.started = true;
    this.push(`${this.options.bom ? '\uFEFF' : ''}${csvLine([...this.columns])}`);
  }
}
