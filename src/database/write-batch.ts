import { ISO_MAX_MS, ISO_MIN_MS, isoInstant } from '../common/iso-instant';
import type { Tx } from './tx';

/**
 * One or more common table expressions that write (INSERT / UPDATE ... without reading each
 * other's rows). `$1` is the tenant; the part's own parameters are `$2`, `$3`, … in `params`.
 */
export interface SqlPart {
  ctes: { name: string; sql: string }[];
  params: unknown[];
}

/** Quote or backslash: two native searches, cheaper than a regex test (~20,000 elements a batch). */
const needsEscape = (text: string) => text.includes('"') || text.includes('\\');
/** What JSON.stringify escapes besides quote and backslash: control characters, lone surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const JSON_ESCAPES_MORE = /[\u0000-\u001f\ud800-\udfff]/;

/**
 * The last Date element written and its quoted text: a posting's Date arrays mostly repeat
 * one instant (the posting's `now` in ledger, lot and tier columns) — of ~3,000 Dates a
 * 500-sale batch writes.
 */
let lastDateMs = Number.NaN;
let lastDateText = '';

/**
 * The PostgreSQL array literal node-postgres would send for a flat array of strings, numbers,
 * bigints, booleans and nulls (NULL bare, every other element quoted, quote and backslash escaped),
 * without its two regex replacements per element: most elements of a posting's arrays (ids,
 * amounts) need no escaping, and a 500-sale batch sends ~20,000 of them (~8 ms of Node CPU in
 * node-postgres's prepareValue). Dates are written as UTC ISO text (isoInstant, years 1–9999): for
 * timestamptz (every Date array Kehu sends) the same instant node-postgres's local-time text
 * names; its per-element formatting was ~1.5 ms of a 500-sale batch (four timestamptz arrays). Anything else (invalid or out-of-range Dates,
 * objects, nested arrays) is returned as is, for node-postgres to convert as before.
 */
export function arrayLiteral(values: unknown[]): unknown {
  if (plainElements(values)) return values.length ? `{"${values.join('","')}"}` : '{}';
  // Elements joined once at the end: a string grown element by element is a rope of a few
  // thousand cells that scavenges copy while it is built and the driver then flattens.
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      parts[i] = 'NULL';
      continue;
    }
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
      text = String(value);
    else if (value instanceof Date) {
      const ms = value.getTime();
      // NaN fails both comparisons.
      if (!(ms >= ISO_MIN_MS && ms <= ISO_MAX_MS)) return values;
      if (ms !== lastDateMs) {
        lastDateText = `"${isoInstant(value)}"`;
        lastDateMs = ms;
      }
      parts[i] = lastDateText;
      continue;
    } else return values;
    if (!needsEscape(text)) parts[i] = `"${text}"`;
    // JSON values (receipt answers, event payloads) are full of quotes: JSON.stringify quotes
    // them the same way (\" and \\) natively, with a tenth of the two regex replacements'
    // garbage (~1 MB per 500 answers), when there is nothing else it would escape.
    else if (!JSON_ESCAPES_MORE.test(text)) parts[i] = JSON.stringify(text);
    else parts[i] = `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
  return `{${parts.join(',')}}`;
}

/**
 * Whether every element is written as its plain text in quotes (numbers, bigints, booleans,
 * strings without quote or backslash): then one native join builds the literal, instead of
 * ~100 bytes of intermediate strings per element (most of a posting's 40-odd arrays).
 */
function plainElements(values: unknown[]): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const type = typeof value;
    if (type === 'string') {
      if (needsEscape(value as string)) return false;
    } else if (type !== 'number' && type !== 'bigint' && type !== 'boolean') return false;
  }
  return true;
}

/**
 * Collects the writes of one business operation and sends them as a single statement of
 * data-modifying CTEs: one round trip instead of one per table. PostgreSQL runs every such
 * CTE exactly once and to completion, all against the same snapshot, so a part must not
 * depend on rows another part of the same batch writes (e.g. update a row inserted here).
 */
export class WriteBatch {
  private readonly ctes: { name: string; sql: string }[] = [];
  /** The parts' parameters, `$2` onwards (`$1`, the tenant, is added by `run`). */
  private readonly params: unknown[] = [];

  get size(): number {
    return this.ctes.length;
  }

  add(part: SqlPart | undefined): this {
    if (!part) return this;
    const offset = this.params.length;
    for (const cte of part.ctes) {
      if (this.ctes.some((c) => c.name === cte.name))
        throw new Error(`write batch: CTE ${cte.name} added twice`);
      this.ctes.push({
        name: cte.name,
        sql: cte.sql.replace(/\$(\d+)/g, (_, n: string) =>
          n === '1' ? '$1' : `$${Number(n) + offset}`,
        ),
      });
    }
    this.params.push(...part.params);
    return this;
  }

  /** Sends everything collected (nothing when empty) and empties the batch. */
  async run(tx: Tx): Promise<void> {
    if (!this.ctes.length) return;
    const sql = `WITH ${this.ctes.map((c) => `${c.name} AS (${c.sql})`).join(',\n')}\nSELECT 1`;
    const params = [tx.tenant, ...this.params];
    this.ctes.length = 0;
    this.params.length = 0;
    // A named statement: PostgreSQL parses a batch's text once per connection; a handful of
    // texts exist (which parts a posting needs), so the cache stays small. Tx.prepared writes
    // the array parameters (arrayLiteral).
    await tx.prepared(sql, params);
  }
}
