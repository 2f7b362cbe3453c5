import { Injectable } from '@nestjs/common';
import { to as copyTo } from 'pg-copy-streams';
import QueryStream from 'pg-query-stream';
import { isUuid } from '../../common/uuid7';
import type { Readable } from 'node:stream';
import type { Tx } from '../../database/tx';
import type { ExportField } from '../dto/segment.input';

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

/** Rows fetched per cursor round trip: big enough to amortise, small enough to keep memory flat. */
const BATCH_SIZE = 2_000;

@Injectable()
export class SegmentExportRepository {
  /**
   * A cursor over the segment's members (no ORDER BY: a full export needs no order, and
   * sorting a million rows would hold them all server-side). With a channel, only customers
   * whose marketing consent on it is granted, active and not restricted.
   */
  /**
   * NDJSON built by PostgreSQL and sent with COPY … TO STDOUT: no per-row parsing in Node, so
   * the export runs near COPY speed; the copy stream pauses the socket when the HTTP side is
   * slow (backpressure). CSV format with a quote character JSON never contains makes COPY pass
   * each JSON line through unescaped. COPY takes no bind parameters, so the only values
   * inlined are the tenant and segment UUIDs (checked) and a channel from the allow-list;
   * column SQL comes from COLUMN_SQL. Not for phone/email: those are decrypted in Node.
   */
  copyNdjson(
    tx: Tx,
    segmentId: string,
    fields: readonly ExportField[],
    consent?: { channel: string; sql: (channelRef: string) => string },
  ): Readable {
    if (!isUuid(tx.tenant) || !isUuid(segmentId)) throw new Error('export ids must be UUIDs');
    if (fields.some((f) => f === 'phone' || f === 'email'))
      throw new Error('encrypted fields need the cursor export');
    const object = `json_build_object(${fields.map((f) => `'${f}', ${COLUMN_SQL[f]}`).join(', ')})::text`;
    const rfmJoin = fields.includes('rfmSegment')
      ? 'LEFT JOIN customer_rfm r ON r.tenant_id = m.tenant_id AND r.customer_id = m.customer_id'
      : '';
    const filter = consent ? ` AND ${consent.sql(consent.channel)}` : '';
    const sql = `COPY (SELECT ${object}
                         FROM segment_members m
                         JOIN customers c ON c.tenant_id = m.tenant_id AND c.id = m.customer_id
                         ${rfmJoin}
                        WHERE m.tenant_id = '${tx.tenant}' AND m.segment_id = '${segmentId}' AND c.status = 'active'${filter})
                 TO STDOUT WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')`;
    return tx.client.query(copyTo(sql)) as unknown as Readable;
  }

  stream(
    tx: Tx,
    segmentId: string,
    fields: readonly ExportField[],
    consent?: { channel: string; sql: (channelParam: string) => string },
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
