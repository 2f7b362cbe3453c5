import { Injectable } from '@nestjs/common';
import QueryStream from 'pg-query-stream';
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
  stream(tx: Tx, segmentId: string, fields: readonly ExportField[], consent?: { channel: string; sql: (channelParam: string) => string }): Readable {
    const select = fields.map((f) => `${COLUMN_SQL[f]} AS "${f}"`).join(', ');
    const params: unknown[] = [tx.tenant, segmentId];
    const rfmJoin = fields.includes('rfmSegment') ? 'LEFT JOIN customer_rfm r ON r.tenant_id = m.tenant_id AND r.customer_id = m.customer_id' : '';
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
    return tx.client.query(new QueryStream(sql, params, { batchSize: BATCH_SIZE })) as unknown as Readable;
  }
}
