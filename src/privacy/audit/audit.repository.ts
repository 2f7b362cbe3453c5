import { Injectable } from '@nestjs/common';
import type { Tx } from '../../database/tx';
import type { ChainedEntry } from './audit-chain';

export interface AuditRow {
  tenant_id: string;
  seq: string;
  id: string;
  occurred_at: Date;
  actor_kind: string;
  actor_id: string;
  action: string;
  resource: string;
  customer_ids: string[];
  fields: string[];
  outcome: string;
  request_id: string | null;
  ip: string | null;
  details: unknown;
  prev_hash: string;
  hash: string;
}

export interface AuditFilter {
  customerId?: string;
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
  beforeSeq?: number;
  limit: number;
}

const COLUMNS =
  'tenant_id, seq, id, occurred_at, actor_kind, actor_id, action, resource, customer_ids, fields, outcome, request_id, ip, details, prev_hash, hash';

/** audit_log: append (chained), filter, and read in seq order for verification. */
@Injectable()
export class AuditRepository {
  /**
   * Serialises chain appends per tenant across processes and replicas; the lock ends with
   * the transaction.
   */
  async lockChain(tx: Tx): Promise<{ seq: number; hash: string } | undefined> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('kehu.audit:' || $1, 0))`, [
      tx.tenant,
    ]);
    const last = await tx.one<{ seq: string; hash: string }>(
      `SELECT seq, hash FROM audit_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1`,
      [tx.tenant],
    );
    return last ? { seq: Number(last.seq), hash: last.hash } : undefined;
  }

  async append(tx: Tx, entries: (ChainedEntry & { hash: string })[]): Promise<void> {
    await tx.query(
      `INSERT INTO audit_log (${COLUMNS})
       SELECT $1, e.seq, e.id, e.occurred_at, e.actor_kind, e.actor_id, e.action, e.resource, e.customer_ids, e.fields,
              e.outcome, e.request_id, e.ip, e.details, e.prev_hash, e.hash
         FROM jsonb_to_recordset($2::jsonb) AS e(seq bigint, id uuid, occurred_at timestamptz, actor_kind text, actor_id text,
              action text, resource text, customer_ids uuid[], fields text[], outcome text, request_id text, ip text,
              details jsonb, prev_hash text, hash text)`,
      [
        tx.tenant,
        JSON.stringify(
          entries.map((e) => ({
            seq: e.seq,
            id: e.id,
            occurred_at: e.occurredAt,
            actor_kind: e.actorKind,
            actor_id: e.actorId,
            action: e.action,
            resource: e.resource,
            customer_ids: e.customerIds,
            fields: e.fields,
            outcome: e.outcome,
            request_id: e.requestId,
            ip: e.ip,
            details: e.details ?? null,
            prev_hash: e.prevHash,
            hash: e.hash,
          })),
        ),
      ],
    );
  }

  async list(tx: Tx, filter: AuditFilter): Promise<AuditRow[]> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tx.tenant];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.customerId) add('customer_ids @> ARRAY[?::uuid]', filter.customerId);
    if (filter.actor) add('actor_id = ?', filter.actor);
    if (filter.action) add('action = ?', filter.action);
    if (filter.from) add('occurred_at >= ?', filter.from);
    if (filter.to) add('occurred_at < ?', filter.to);
    if (filter.beforeSeq !== undefined) add('seq < ?', filter.beforeSeq);
    params.push(filter.limit + 1);
    return tx.query<AuditRow>(
      `SELECT ${COLUMNS} FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
  }

  /** Everything about one customer, oldest first (privacy export). */
  async forCustomer(tx: Tx, customerId: string, limit: number): Promise<AuditRow[]> {
    return tx.query<AuditRow>(
      `SELECT ${COLUMNS} FROM audit_log WHERE tenant_id = $1 AND customer_ids @> ARRAY[$2::uuid] ORDER BY seq LIMIT $3`,
      [tx.tenant, customerId, limit],
    );
  }

  async chunk(tx: Tx, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return tx.query<AuditRow>(
      `SELECT ${COLUMNS} FROM audit_log WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [tx.tenant, afterSeq, limit],
    );
  }
}
