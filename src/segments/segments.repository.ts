import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';
import type { Keyset } from '../common/pagination';
import type { RuleNode } from './rules/rule-ast';

export interface SegmentRow {
  id: string;
  name: string;
  description: string | null;
  query_text: string | null;
  query_tree: RuleNode;
  builtin_key: string | null;
  member_count: number;
  refreshed_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface RefreshJobRow {
  id: string;
  segment_id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  member_count: number | null;
  entered_count: number | null;
  exited_count: number | null;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export interface SegmentSettingsRow {
  gold_top_percent: number;
  gold_min_purchases: number;
  lapsed_days: number;
  frequency_high_min: number | null;
  frequency_mid_min: number | null;
  spend_high_min_minor: string | null;
  spend_mid_min_minor: string | null;
}

export interface TenantContextRow {
  currency: string;
  time_zone: string;
}

const SEGMENT_COLUMNS = `id, name, description, query_text, query_tree, builtin_key, member_count, refreshed_at, version, created_at, updated_at`;
const JOB_COLUMNS = `id, segment_id, status, member_count, entered_count, exited_count, error, created_at, finished_at`;

/** Segment definitions, refresh jobs and settings: the segments module's own tables. */
@Injectable()
export class SegmentsRepository {
  async tenantContext(tx: Tx): Promise<TenantContextRow> {
    const row = await tx.one<TenantContextRow>(
      `SELECT currency, time_zone FROM tenants WHERE id = $1`,
      [tx.tenant],
    );
    if (!row) throw new Error('tenant row not visible');
    return row;
  }

  async insert(
    tx: Tx,
    row: {
      id: string;
      name: string;
      description: string | null;
      text: string | null;
      tree: RuleNode;
      builtinKey?: string;
      createdBy: string;
      now: Date;
    },
  ): Promise<SegmentRow | undefined> {
    return tx.one<SegmentRow>(
      `INSERT INTO segments (tenant_id, id, name, description, query_text, query_tree, builtin_key, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
       ON CONFLICT DO NOTHING
       RETURNING ${SEGMENT_COLUMNS}`,
      [
        tx.tenant,
        row.id,
        row.name,
        row.description,
        row.text,
        JSON.stringify(row.tree),
        row.builtinKey ?? null,
        row.createdBy,
        row.now,
      ],
    );
  }

  async nameTaken(tx: Tx, name: string, exceptId?: string): Promise<boolean> {
    const row = await tx.one(
      `SELECT 1 FROM segments WHERE tenant_id = $1 AND lower(name) = lower($2) AND id IS DISTINCT FROM $3`,
      [tx.tenant, name, exceptId ?? null],
    );
    return !!row;
  }

  async find(
    tx: Tx,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<SegmentRow | undefined> {
    return tx.one<SegmentRow>(
      `SELECT ${SEGMENT_COLUMNS} FROM segments WHERE tenant_id = $1 AND id = $2${options.lock ? ' FOR UPDATE' : ''}`,
      [tx.tenant, id],
    );
  }

  async findBuiltin(tx: Tx, key: string): Promise<SegmentRow | undefined> {
    return tx.one<SegmentRow>(
      `SELECT ${SEGMENT_COLUMNS} FROM segments WHERE tenant_id = $1 AND builtin_key = $2`,
      [tx.tenant, key],
    );
  }

  async materialised(tx: Tx): Promise<SegmentRow[]> {
    return tx.query<SegmentRow>(
      `SELECT ${SEGMENT_COLUMNS} FROM segments WHERE tenant_id = $1 AND refreshed_at IS NOT NULL ORDER BY created_at, id`,
      [tx.tenant],
    );
  }

  async builtins(tx: Tx): Promise<SegmentRow[]> {
    return tx.query<SegmentRow>(
      `SELECT ${SEGMENT_COLUMNS} FROM segments WHERE tenant_id = $1 AND builtin_key IS NOT NULL`,
      [tx.tenant],
    );
  }

  async list(tx: Tx, after: Keyset | undefined, limit: number): Promise<SegmentRow[]> {
    return tx.query<SegmentRow>(
      `SELECT ${SEGMENT_COLUMNS} FROM segments
        WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [tx.tenant, after?.createdAt ?? null, after?.id ?? null, limit + 1],
    );
  }

  async update(
    tx: Tx,
    id: string,
    patch: {
      name: string;
      description: string | null;
      text: string | null;
      tree: RuleNode;
      now: Date;
    },
  ): Promise<SegmentRow> {
    const row = await tx.one<SegmentRow>(
      `UPDATE segments SET name = $3, description = $4, query_text = $5, query_tree = $6, version = version + 1, updated_at = $7
        WHERE tenant_id = $1 AND id = $2 RETURNING ${SEGMENT_COLUMNS}`,
      [
        tx.tenant,
        id,
        patch.name,
        patch.description,
        patch.text,
        JSON.stringify(patch.tree),
        patch.now,
      ],
    );
    if (!row) throw new Error('segment vanished under lock');
    return row;
  }

  /**
   * The caller holds the segment's row lock, so a refresh of it has committed (or not
   * started): its members are all visible here. There is no cascading foreign key on
   * segment_members (see migration MembershipWritePath).
   */
  async delete(tx: Tx, id: string): Promise<void> {
    await tx.query(`DELETE FROM segment_members WHERE tenant_id = $1 AND segment_id = $2`, [
      tx.tenant,
      id,
    ]);
    await tx.query(`DELETE FROM segments WHERE tenant_id = $1 AND id = $2`, [tx.tenant, id]);
  }

  async markRefreshed(tx: Tx, id: string, memberCount: number, now: Date): Promise<void> {
    await tx.query(
      `UPDATE segments SET member_count = $3, refreshed_at = $4 WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id, memberCount, now],
    );
  }

  async insertJob(
    tx: Tx,
    job: { id: string; segmentId: string; requestedBy: string; now: Date },
  ): Promise<RefreshJobRow> {
    const row = await tx.one<RefreshJobRow>(
      `INSERT INTO segment_refresh_jobs (tenant_id, id, segment_id, requested_by, created_at) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${JOB_COLUMNS}`,
      [tx.tenant, job.id, job.segmentId, job.requestedBy, job.now],
    );
    return row!;
  }

  async findJob(tx: Tx, segmentId: string, jobId: string): Promise<RefreshJobRow | undefined> {
    return tx.one<RefreshJobRow>(
      `SELECT ${JOB_COLUMNS} FROM segment_refresh_jobs WHERE tenant_id = $1 AND segment_id = $2 AND id = $3`,
      [tx.tenant, segmentId, jobId],
    );
  }

  async startJob(tx: Tx, jobId: string, now: Date): Promise<RefreshJobRow | undefined> {
    return tx.one<RefreshJobRow>(
      `UPDATE segment_refresh_jobs SET status = 'running', started_at = $3 WHERE tenant_id = $1 AND id = $2 AND status = 'queued' RETURNING ${JOB_COLUMNS}`,
      [tx.tenant, jobId, now],
    );
  }

  async finishJob(
    tx: Tx,
    jobId: string,
    result: {
      status: 'succeeded' | 'failed';
      memberCount?: number;
      entered?: number;
      exited?: number;
      error?: string;
      now: Date;
    },
  ): Promise<void> {
    await tx.query(
      `UPDATE segment_refresh_jobs SET status = $3, member_count = $4, entered_count = $5, exited_count = $6, error = $7, finished_at = $8
        WHERE tenant_id = $1 AND id = $2`,
      [
        tx.tenant,
        jobId,
        result.status,
        result.memberCount ?? null,
        result.entered ?? null,
        result.exited ?? null,
        result.error ?? null,
        result.now,
      ],
    );
  }

  async settings(tx: Tx): Promise<SegmentSettingsRow> {
    const row = await tx.one<SegmentSettingsRow>(
      `SELECT gold_top_percent, gold_min_purchases, lapsed_days, frequency_high_min, frequency_mid_min, spend_high_min_minor, spend_mid_min_minor
         FROM segment_settings WHERE tenant_id = $1`,
      [tx.tenant],
    );
    return (
      row ?? {
        gold_top_percent: 20,
        gold_min_purchases: 2,
        lapsed_days: 180,
        frequency_high_min: null,
        frequency_mid_min: null,
        spend_high_min_minor: null,
        spend_mid_min_minor: null,
      }
    );
  }

  async saveSettings(tx: Tx, s: SegmentSettingsRow, now: Date): Promise<void> {
    await tx.query(
      `INSERT INTO segment_settings (tenant_id, gold_top_percent, gold_min_purchases, lapsed_days, frequency_high_min, frequency_mid_min, spend_high_min_minor, spend_mid_min_minor, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (tenant_id) DO UPDATE SET gold_top_percent = $2, gold_min_purchases = $3, lapsed_days = $4, frequency_high_min = $5,
         frequency_mid_min = $6, spend_high_min_minor = $7, spend_mid_min_minor = $8, updated_at = $9`,
      [
        tx.tenant,
        s.gold_top_percent,
        s.gold_min_purchases,
        s.lapsed_days,
        s.frequency_high_min,
        s.frequency_mid_min,
        s.spend_high_min_minor,
        s.spend_mid_min_minor,
        now,
      ],
    );
  }
}
