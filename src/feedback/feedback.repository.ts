import { Injectable } from '@nestjs/common';
import { Keyset, keysetCondition } from '../common/pagination';
import type { Tx } from '../database/tx';
import { FeedbackStatus, OPEN_STATUSES } from './feedback-workflow';

export interface FeedbackRow {
  tenant_id: string;
  id: string;
  customer_id: string | null;
  type: string;
  channel: string;
  severity: string;
  status: FeedbackStatus;
  subject: string;
  body: string;
  store_id: string;
  transaction_id: string | null;
  assignee: string | null;
  category: string | null;
  resolution: string | null;
  due_at: Date;
  first_response_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  follow_up_id: string | null;
  follow_up_csat: number | null;
  created_by: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface TransitionRow {
  id: string;
  feedback_id: string;
  from_status: string;
  to_status: string;
  actor: string;
  note: string | null;
  created_at: Date;
}

export interface NoteRow {
  id: string;
  feedback_id: string;
  author: string;
  body: string;
  created_at: Date;
}

export interface FeedbackFilter {
  status?: string;
  type?: string;
  severity?: string;
  storeId?: string;
  customerId?: string;
  assignee?: string;
  overdue?: boolean;
}

const COLUMNS = `tenant_id, id, customer_id, type, channel, severity, status, subject, body, store_id, transaction_id,
  assignee, category, resolution, due_at, first_response_at, resolved_at, closed_at, follow_up_id, follow_up_csat, created_by, version,
  created_at, updated_at`;

/** Parameter list of the open statuses, shared by the overdue filter and the overdue job. */
const OPEN = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');

@Injectable()
export class FeedbackRepository {
  async tenantSettings(tx: Tx): Promise<{ settings: unknown; time_zone: string }> {
    const row = await tx.one<{ settings: unknown; time_zone: string }>(
      `SELECT settings, time_zone FROM tenants WHERE id = $1`,
      [tx.tenant],
    );
    return row ?? { settings: {}, time_zone: 'UTC' };
  }

  async insert(
    tx: Tx,
    row: Omit<
      FeedbackRow,
      | 'tenant_id'
      | 'version'
      | 'first_response_at'
      | 'resolved_at'
      | 'closed_at'
      | 'assignee'
      | 'category'
      | 'resolution'
      | 'follow_up_id'
      | 'follow_up_csat'
    >,
  ): Promise<FeedbackRow> {
    const inserted = await tx.one<FeedbackRow>(
      `INSERT INTO feedback (tenant_id, id, customer_id, type, channel, severity, status, subject, body, store_id, transaction_id,
                             due_at, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       RETURNING ${COLUMNS}`,
      [
        tx.tenant,
        row.id,
        row.customer_id,
        row.type,
        row.channel,
        row.severity,
        row.status,
        row.subject,
        row.body,
        row.store_id,
        row.transaction_id,
        row.due_at,
        row.created_by,
        row.created_at,
        row.updated_at,
      ],
    );
    return inserted!;
  }

  async find(tx: Tx, id: string): Promise<FeedbackRow | undefined> {
    return tx.one<FeedbackRow>(`SELECT ${COLUMNS} FROM feedback WHERE tenant_id = $1 AND id = $2`, [
      tx.tenant,
      id,
    ]);
  }

  /**
   * Moves the item only if nobody changed it since it was read (same status and version).
   * A concurrent writer blocks on the row lock, then re-checks this condition against the
   * committed row and updates nothing: undefined tells the service it lost.
   */
  async applyTransition(
    tx: Tx,
    change: {
      id: string;
      from: FeedbackStatus;
      version: number;
      to: FeedbackStatus;
      now: Date;
      resolution?: string;
      category?: string;
    },
  ): Promise<FeedbackRow | undefined> {
    return tx.one<FeedbackRow>(
      `UPDATE feedback
          SET status = $5,
              version = version + 1,
              updated_at = $6,
              first_response_at = COALESCE(first_response_at, $6),
              resolution = CASE WHEN $5 = 'resolved' THEN $7 ELSE resolution END,
              category = CASE WHEN $5 = 'resolved' THEN $8 ELSE category END,
              resolved_at = CASE WHEN $5 = 'resolved' THEN $6 WHEN $5 = 'reopened' THEN NULL ELSE resolved_at END,
              closed_at = CASE WHEN $5 = 'closed' THEN $6 ELSE closed_at END
        WHERE tenant_id = $1 AND id = $2 AND status = $3 AND version = $4
        RETURNING ${COLUMNS}`,
      [
        tx.tenant,
        change.id,
        change.from,
        change.version,
        change.to,
        change.now,
        change.resolution ?? null,
        change.category ?? null,
      ],
    );
  }

  async insertTransition(
    tx: Tx,
    row: Omit<TransitionRow, 'created_at'> & { created_at: Date },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO feedback_transitions (tenant_id, id, feedback_id, from_status, to_status, actor, note, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        tx.tenant,
        row.id,
        row.feedback_id,
        row.from_status,
        row.to_status,
        row.actor,
        row.note,
        row.created_at,
      ],
    );
  }

  async listTransitions(tx: Tx, feedbackId: string): Promise<TransitionRow[]> {
    return tx.query<TransitionRow>(
      `SELECT id, feedback_id, from_status, to_status, actor, note, created_at
         FROM feedback_transitions WHERE tenant_id = $1 AND feedback_id = $2 ORDER BY created_at, id`,
      [tx.tenant, feedbackId],
    );
  }

  async assign(
    tx: Tx,
    id: string,
    assignee: string | null,
    now: Date,
  ): Promise<FeedbackRow | undefined> {
    return tx.one<FeedbackRow>(
      `UPDATE feedback SET assignee = $3, version = version + 1, updated_at = $4
        WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [tx.tenant, id, assignee, now],
    );
  }

  async setFollowUp(tx: Tx, id: string, followUpId: string): Promise<void> {
    await tx.query(`UPDATE feedback SET follow_up_id = $3 WHERE tenant_id = $1 AND id = $2`, [
      tx.tenant,
      id,
      followUpId,
    ]);
  }

  async recordFollowUpOutcome(
    tx: Tx,
    id: string,
    csat: number | null,
    now: Date,
  ): Promise<FeedbackRow> {
    const row = await tx.one<FeedbackRow>(
      `UPDATE feedback SET follow_up_csat = $3, follow_up_completed_at = $4, version = version + 1, updated_at = $4
        WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [tx.tenant, id, csat, now],
    );
    return row!;
  }

  async insertNote(tx: Tx, row: NoteRow): Promise<NoteRow> {
    const inserted = await tx.one<NoteRow>(
      `INSERT INTO feedback_notes (tenant_id, id, feedback_id, author, body, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, feedback_id, author, body, created_at`,
      [tx.tenant, row.id, row.feedback_id, row.author, row.body, row.created_at],
    );
    return inserted!;
  }

  async listNotes(
    tx: Tx,
    feedbackId: string,
    keyset: Keyset | undefined,
    limit: number,
  ): Promise<NoteRow[]> {
    const after = keysetCondition(keyset, 3);
    return tx.query<NoteRow>(
      `SELECT id, feedback_id, author, body, created_at FROM feedback_notes
        WHERE tenant_id = $1 AND feedback_id = $2 AND ${after.sql}
        ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`,
      [tx.tenant, feedbackId, ...after.params],
    );
  }

  /** Newest first, keyset-paginated; every filter is a parameter, `overdue` compares with the clock's now. */
  async list(
    tx: Tx,
    filter: FeedbackFilter,
    now: Date,
    keyset: Keyset | undefined,
    limit: number,
  ): Promise<FeedbackRow[]> {
    const params: unknown[] = [tx.tenant];
    const where = ['tenant_id = $1'];
    const add = (column: string, value: unknown) => {
      params.push(value);
      where.push(`${column} = $${params.length}`);
    };
    if (filter.status) add('status', filter.status);
    if (filter.type) add('type', filter.type);
    if (filter.severity) add('severity', filter.severity);
    if (filter.storeId) add('store_id', filter.storeId);
    if (filter.customerId) add('customer_id', filter.customerId);
    if (filter.assignee) add('assignee', filter.assignee);
    if (filter.overdue !== undefined) {
      params.push(now);
      const overdue = `(status IN (${OPEN}) AND due_at < $${params.length})`;
      where.push(filter.overdue ? overdue : `NOT ${overdue}`);
    }
    const after = keysetCondition(keyset, params.length + 1);
    params.push(...after.params);
    where.push(after.sql);
    return tx.query<FeedbackRow>(
      `SELECT ${COLUMNS} FROM feedback WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`,
      params,
    );
  }

  /** Claims open items past due that were never reported, so each is reported once. */
  async claimNewlyOverdue(tx: Tx, now: Date): Promise<FeedbackRow[]> {
    return tx.query<FeedbackRow>(
      `UPDATE feedback SET overdue_notified_at = $2
        WHERE tenant_id = $1 AND status IN (${OPEN}) AND due_at < $2 AND overdue_notified_at IS NULL
        RETURNING ${COLUMNS}`,
      [tx.tenant, now],
    );
  }

  /**
   * Erasure: the customer's feedback stays (counts, SLA history) but its free text, notes and
   * transition notes go. The row keeps its link to the PII-free customer tombstone.
   */
  async eraseCustomer(tx: Tx, customerId: string): Promise<void> {
    const mine = `SELECT id FROM feedback WHERE tenant_id = $1 AND customer_id = $2`;
    await tx.query(
      `UPDATE feedback_notes SET body = '[erased]' WHERE tenant_id = $1 AND feedback_id IN (${mine})`,
      [tx.tenant, customerId],
    );
    await tx.query(
      `UPDATE feedback_transitions SET note = NULL WHERE tenant_id = $1 AND feedback_id IN (${mine})`,
      [tx.tenant, customerId],
    );
    await tx.query(
      `UPDATE feedback SET subject = '[erased]', body = '[erased]', resolution = CASE WHEN resolution IS NULL THEN NULL ELSE '[erased]' END
        WHERE tenant_id = $1 AND customer_id = $2`,
      [tx.tenant, customerId],
    );
  }

  async repointCustomer(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE feedback SET customer_id = $2 WHERE tenant_id = $1 AND customer_id = ANY($3::uuid[])`,
      [tx.tenant, survivorId, sourceIds],
    );
  }
}
