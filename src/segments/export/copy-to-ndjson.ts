import { Transform, TransformCallback } from 'node:stream';

/**
 * How a COPY text cell becomes a JSON value: `string` cells are quoted and JSON-escaped,
 * `json` cells already hold JSON text (numbers, `to_json(array)`) and are only un-escaped.
 */
export type NdjsonCell = 'string' | 'json';

const TAB = 0x09;
const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = Buffer.from('0123456789abcdef');
/** Room one input byte may need in the output: a control character becomes `\u00XX`. */
const WORST_PER_BYTE = 6;
const OUTPUT_CHUNK = 256 * 1024;

/** COPY text escapes (`\n`, `\t`, …) back to the byte they stand for; -1 for unknown. */
const UNESCAPE = new Int16Array(256).fill(-1);
for (const [letter, byte] of [
  ['b', 0x08],
  ['f', 0x0c],
  ['n', 0x0a],
  ['r', 0x0d],
  ['t', 0x09],
  ['v', 0x0b],
  ['\\', 0x5c],
] as const)
  UNESCAPE[letter.charCodeAt(0)] = byte;

/** JSON's two-character escapes for the bytes that have one (0 = none: `\u00XX` instead). */
const JSON_ESCAPE = new Uint8Array(256);
for (const [byte, letter] of [
  [0x08, 'b'],
  [0x0c, 'f'],
  [0x0a, 'n'],
  [0x0d, 'r'],
  [0x09, 't'],
  [0x22, '"'],
  [0x5c, '\\'],
] as const)
  JSON_ESCAPE[byte] = letter.charCodeAt(0);

/**
 * Rows of `COPY … TO STDOUT` (text format: tab-separated cells, `\N` for NULL, backslash
 * escapes) in, NDJSON lines out — `{"field":value,…}` per row, as `JSON.stringify` would write
 * them. PostgreSQL then sends the plain columns (half the bytes of JSON it would build itself)
 * and the formatting runs here, on the other core, one byte loop per chunk with no per-row
 * objects. Rows split across chunks are carried over; backpressure flows through `pipeline`.
 */
export class CopyTextToNdjson extends Transform {
  rows = 0;
  /** `{"a":`, `,"b":`, … as bytes; the first cell's opens the object. */
  private readonly keys: Uint8Array[];
  private readonly kinds: boolean[];
  private readonly keyBytes: number;
  private carry: Buffer | null = null;

  constructor(fields: ReadonlyArray<{ name: string; cell: NdjsonCell }>) {
    super();
    this.keys = fields.map((f, i) => Buffer.from(`${i ? ',' : '{'}${JSON.stringify(f.name)}:`));
    this.kinds = fields.map((f) => f.cell === 'string');
    // Keys, quotes (or `null`) per cell, `}` and the line feed.
    this.keyBytes = this.keys.reduce((sum, key) => sum + key.length + 4, 2);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let input = chunk;
    if (this.carry) {
      input = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    const end = input.lastIndexOf(LF) + 1;
    // The tail of an unfinished row is copied: the chunk's memory may be reused by the reader.
    if (end < input.length) this.carry = Buffer.from(input.subarray(end));
    try {
      if (end > 0) this.convert(input, end);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    callback(this.carry?.length ? new Error('COPY output ended inside a row') : null);
  }

  /** Converts the whole rows in `input[0, end)`, pushing output in chunks of ~256 KB. */
  private convert(input: Buffer, end: number): void {
    const keys = this.keys;
    const kinds = this.kinds;
    const cells = keys.length;
    let out = Buffer.allocUnsafe(Math.max(OUTPUT_CHUNK, end * WORST_PER_BYTE + this.keyBytes));
    let o = 0;
    let p = 0;
    while (p < end) {
      const rowEnd = input.indexOf(LF, p);
      const need = (rowEnd - p) * WORST_PER_BYTE + this.keyBytes;
      if (o + need > out.length) {
        this.push(out.subarray(0, o));
        out = Buffer.allocUnsafe(Math.max(OUTPUT_CHUNK, (end - p) * WORST_PER_BYTE + need));
        o = 0;
      }
      for (let cell = 0; cell < cells; cell++) {
        const key = keys[cell];
        for (let k = 0; k < key.length; k++) out[o++] = key[k];
        const after = input[p + 2];
        if (
          input[p] === BACKSLASH &&
          input[p + 1] === 0x4e /* N */ &&
          (after === TAB || after === LF)
        ) {
          if ((after === LF) !== (cell === cells - 1))
            throw new Error('COPY row has a different number of cells');
          out[o++] = 0x6e; // null
          out[o++] = 0x75;
          out[o++] = 0x6c;
          out[o++] = 0x6c;
          p += 3;
          continue;
        }
        const quoted = kinds[cell];
        if (quoted) out[o++] = QUOTE;
        for (;;) {
          let b = input[p++];
          if (b > QUOTE && b !== BACKSLASH) {
            out[o++] = b;
            continue;
          }
          if (b === TAB || b === LF) {
            // A line feed ends the last cell only: never read on into the next row.
            if ((b === LF) !== (cell === cells - 1))
              throw new Error('COPY row has a different number of cells');
            break;
          }
          if (b === BACKSLASH) {
            b = UNESCAPE[input[p++]];
            if (b < 0) throw new Error(`unexpected COPY escape at byte ${p - 1}`);
          }
          if (!quoted) {
            out[o++] = b; // JSON text from PostgreSQL: only its backslashes were escaped
            continue;
          }
          const escape = JSON_ESCAPE[b];
          if (escape) {
            out[o++] = BACKSLASH;
            out[o++] = escape;
          } else if (b < 0x20) {
            out[o++] = BACKSLASH;
            out[o++] = 0x75; // u00XX
            out[o++] = 0x30;
            out[o++] = 0x30;
            out[o++] = HEX[b >> 4];
            out[o++] = HEX[b & 15];
          } else {
            out[o++] = b;
          }
        }
        if (quoted) out[o++] = QUOTE;
      }
      out[o++] = 0x7d; // }
      out[o++] = LF;
      this.rows++;
    }
    if (o) this.push(out.subarray(0, o));
  }
}
