import { Injectable } from '@nestjs/common';
import { to as copyTo } from 'pg-copy-streams';
import QueryStream from 'pg-query-stream';
import { isUuid } from '../../common/uuid7';
import type { Readable } from 'node:stream';
import type { Tx } from '../../database/tx';
import type { ExportField } from '../dto/segment.input';
import type { NdjsonCell } from './copy-to-ndjson';

/** Export columns: SQL from this allow-list only, aliased to the API field name. */
const COLUMN_SQL: Record<ExportField, string> = {
  id: 'c.id',
  memberNo: 'c.member_no',
  name: 'c.name',
  gender: 'c.gender',
  birthMonth: 'c.birth_month',
  birthYear: 'c.birth_year',
  province: 'c.province',
  city: 'c.city',
  storeId: 'c.store_id',
  tier: 'c.tier_code',
  pointsBalance: 'c.points_balance::float8',
  tags: 'c.tags',
  phone: 'c.phone_enc',
  email: 'c.email_enc',
  rfmSegment: 'r.segment',
};

/**
 * Fields whose COPY text is already a JSON value (NDJSON cells written as is by
 * `CopyTextToNdjson`); every other field is text, quoted and escaped there. Integers print as
 * JSON numbers; tags go through `to_json` (an array).
 */
const JSON_SQL: Partial<Record<ExportField, string>> = {
  birthMonth: 'c.birth_month',
  birthYear: 'c.birth_year',
  pointsBalance: 'c.points_balance',
  tags: 'to_json(c.tags)::text',
};

/**
 * Fields as CSV cell values for COPY's own RFC 4180 writer, with the cursor path's `csvCell`
 * rules: tags joined with `;`, empty text as an empty cell, and text a spreadsheet would run
 * as a formula (`=`, `+`, `-`, `@`, tab, CR first) prefixed with an apostrophe. Numbers as is.
 */
const CSV_SQL: Partial<Record<ExportField, string>> = {
  id: 'c.id',
  birthMonth: 'c.birth_month',
  birthYear: 'c.birth_year',
  pointsBalance: 'c.points_balance',
  tags: `array_to_string(c.tags, ';')`,
};

const csvTextSql = (sql: string) =>
  `CASE WHEN left(${sql}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || ${sql} ELSE nullif(${sql}, '') END`;

/** Rows fetched per cursor round trip: big enough to amortise, small enough to keep memory flat. */
const BATCH_SIZE = 2_000;

export interface ExportConsentFilter {
  channel: string;
  sql: (channelRef: string) => string;
}

/**
 * Reads a segment's active members for export, straight from PostgreSQL as a stream (no ORDER
 * BY: a full export needs no order, and sorting a million rows would hold them server-side).
 * With a channel, only customers whose marketing consent on it is granted, active and not
 * restricted.
 */
@Injectable()
export class SegmentExportRepository {
  /** Fields COPY can send as they are stored; phone and email are decrypted in Node (cursor path). */
  static copyable(fields: readonly ExportField[]): boolean {
    return !fields.some((f) => f === 'phone' || f === 'email');
  }

  /**
   * The plain columns for NDJSON, as `COPY … TO STDOUT` text rows: PostgreSQL only reads and
   * sends them (the bytes of a plain COPY) and `CopyTextToNdjson` writes the JSON lines in
   * Node. The copy stream pauses the socket when the HTTP side is slow (backpressure).
   */
  copyNdjson(
    tx: Tx,
    segmentId: string,
    fields: readonly ExportField[],
    consent?: ExportConsentFilter,
  ): { rows: Readable; cells: Array<{ name: ExportField; cell: NdjsonCell }> } {
    const select = fields.map((f, i) => `${JSON_SQL[f] ?? COLUMN_SQL[f]} AS f${i}`).join(', ');
    return {
      rows: this.copy(tx, segmentId, fields, select, 'FORMAT text', consent),
      cells: fields.map((name) => ({ name, cell: JSON_SQL[name] ? 'json' : 'string' })),
    };
  }

  /**
   * CSV rows (no header) by COPY's CSV writer: fields holding `"`, `,` or a line break quoted,
   * quotes doubled, UTF-8 — RFC 4180 except for `\n` line ends, which `CsvLineEnds` turns
   * into CRLF while it adds the header and BOM.
   */
  copyCsv(
    tx: Tx,
    segmentId: string,
    fields: readonly ExportField[],
    consent?: ExportConsentFilter,
  ): Readable {
    const columns = fields.map((f, i) => `${CSV_SQL[f] ?? csvTextSql(COLUMN_SQL[f])} AS f${i}`);
    return this.copy(tx, segmentId, fields, columns.join(', '), 'FORMAT csv', consent);
  }

  /**
   * COPY takes no bind parameters, so the only values inlined are the tenant and segment UUIDs
   * (checked) and a channel from the allow-list; column SQL comes from the maps above.
   */
  private copy(
    tx: Tx,
    segmentId: string,
    fields: readonly ExportField[],
    select: string,
    options: string,
    consent?: ExportConsentFilter,
  ): Readable {
    if (!isUuid(tx.tenant) || !isUuid(segmentId)) throw new Error('export ids must be UUIDs');
    if (!SegmentExportRepository.copyable(fields))
      throw new Error('encrypted fields need the cursor export');
    const rfmJoin = fields.includes('rfmSegment')
      ? 'LEFT JOIN customer_rfm r ON r.tenant_id = m.tenant_id AND r.customer_id = m.customer_id'
      : '';
    const filter = consent ? ` AND ${consent.sql(consent.channel)}` : '';
    const sql = `COPY (SELECT ${select}
                         FROM segment_members m
                         JOIN customers c ON c.tenant_id = m.tenant_id AND c.id = m.customer_id
                         ${rfmJoin}
                        WHERE m.tenant_id = '${tx.tenant}' AND m.segment_id = '${segmentId}' AND c.status = 'active'${filter})
                 TO STDOUT WITH (${options})`;
    return tx.client.query(copyTo(sql)) as unknown as Readable;
  }

  /** A cursor for the fields decrypted in Node (phone, email); rows become lines in `ExportEncoder`. */
  stream(
    tx: Tx,
    segmentId: string,
    fields: readonly ExportField[],
    consent?: ExportConsentFilter,
  ): Readable {
    const select = fields.map((f) => `${COLUMN_SQL[f]} AS "${f}"`).join(', ');
    const params: unknown[] = [tx.tenant, segmentId];
    const rfmJoin = fields.includes('rfmSegment')
      ? 'LEFT JOIN customer_rfm r ON r.tenant_id = m.tenant_id AND r.customer_id = m.customer_id'
      : '';
    let filter = '';
    if (consent) {
      params.push(consent.channel);
      filter = ` AND ${consent.sql('$3')}`;
    }
    const sql = `SELECT ${select}
                   FROM segment_members m
                   JOIN customers c ON c.tenant_id = m.tenant_id AND c.id = m.customer_id
                   ${rfmJoin}
                  WHERE m.tenant_id = $1 AND m.segment_id = $2 AND c.status = 'active'${filter}`;
    return tx.client.query(
      new QueryStream(sql, params, { batchSize: BATCH_SIZE }),
    ) as unknown as Readable;
  }
}
