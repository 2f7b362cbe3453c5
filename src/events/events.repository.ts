import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';

export interface EventRow {
  id: string;
  seq: string;
  type: string;
  customer_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  payload: Record<string, unknown>;
  created_at: Date;
}

const EVENT_COLUMNS = 'id, seq, type, customer_id, subject_type, subject_id, payload, created_at';

/** The outbox as seen by its consumers: sequencing, fan-out to subscriptions, and the feed. */
@Injectable()
export class EventsRepository {
  constructor(private readonly database: Database) {}

  /** Tenants with events still waiting for a seq (cross-tenant, so a system query). */
  /**
   * One probe of events_unsequenced_idx per tenant. `DISTINCT tenant_id … WHERE seq IS NULL LIMIT`
   * was planned as a bitmap scan that read the whole partial index — every unsequenced event
   * and every dead entry of one already sequenced — before its LIMIT: 20–45 ms a poll, ten polls
   * a second, during a sustained write load (bench `tx-batch`, auto_explain). A plain index
   * probe stops at the first live entry and marks the dead ones it passes.
   */
  async tenantsWithUnsequencedEvents(): Promise<string[]> {
    const rows = await this.database.systemQuery<{ id: string }>(
      `SELECT t.id FROM tenants t
        WHERE EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = t.id AND e.seq IS NULL)`,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Non-blocking per-tenant mutex for the sequencer, held until the transaction ends. Losing
   * it just means another process is sequencing this tenant right now.
   */
  async trySequencerLock(tx: Tx): Promise<boolean> {
    const row = await tx.one<{ ok: boolean }>(
      `SELECT pg_try_advisory_xact_lock(hashtextextended('kehu.events.seq:' || $1, 0)) AS ok`,
      [tx.tenant],
    );
    return Boolean(row?.ok);
  }

  async lockStream(tx: Tx): Promise<number> {
    await tx.query(
      `INSERT INTO event_streams (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING`,
      [tx.tenant],
    );
    const row = await tx.one<{ last_seq: string }>(
      `SELECT last_seq FROM event_streams WHERE tenant_id = $1 FOR UPDATE`,
      [tx.tenant],
    );
    return Number(row!.last_seq);
  }

  /**
   * Gives the next seqs to committed, unsequenced events in (created_at, id) order. Rows of
   * transactions still in flight are invisible here, so they get a later seq once they commit:
   * a reader that has seen seq N never has an event appear below N afterwards. No row locks
   * before the update: the caller holds the tenant's sequencer lock and its stream row, so no
   * one else assigns seqs meanwhile (FOR UPDATE cost each event an extra WAL record).
   */
  async assignSeqs(tx: Tx, lastSeq: number, limit: number): Promise<number> {
    const count = await tx.count(
      `UPDATE events e SET seq = $2::bigint + numbered.n
         FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n
                 FROM (SELECT id, created_at FROM events
                        WHERE tenant_id = $1 AND seq IS NULL
                        ORDER BY created_at, id
                        LIMIT $3) batch) numbered
        WHERE e.tenant_id = $1 AND e.id = numbered.id`,
      [tx.tenant, lastSeq, limit],
    );
    if (count)
      await tx.query(`UPDATE event_streams SET last_seq = $2 WHERE tenant_id = $1`, [
        tx.tenant,
        lastSeq + count,
      ]);
    return count;
  }

  /** One pending delivery per (event, active subscription that wants its type). */
  async fanOut(tx: Tx, fromSeq: number, toSeq: number, now: Date): Promise<number> {
    return tx.count(
      `INSERT INTO webhook_deliveries
              (tenant_id, id, webhook_id, event_id, event_seq, event_type, customer_id, next_attempt_at, created_at, updated_at)
       SELECT e.tenant_id, kehu_uuid7(), w.id, e.id, e.seq, e.type, e.customer_id, $4, $4, $4
         FROM events e
         JOIN webhooks w ON w.tenant_id = e.tenant_id AND w.active AND (e.type = ANY (w.events) OR '*' = ANY (w.events))
        WHERE e.tenant_id = $1 AND e.seq > $2 AND e.seq <= $3
        ORDER BY e.seq`,
      [tx.tenant, fromSeq, toSeq, now],
    );
  }

  async feed(
    tx: Tx,
    after: number,
    types: string[] | undefined,
    limit: number,
  ): Promise<EventRow[]> {
    return tx.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE tenant_id = $1 AND seq > $2 AND seq IS NOT NULL AND ($3::text[] IS NULL OR type = ANY ($3))
        ORDER BY seq
        LIMIT $4`,
      [tx.tenant, after, types ?? null, limit],
    );
  }

  async byIds(tx: Tx, ids: string[]): Promise<EventRow[]> {
    return tx.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE tenant_id = $1 AND id = ANY ($2::uuid[])`,
      [tx.tenant, ids],
    );
  }
}
