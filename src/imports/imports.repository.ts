import { Injectable } from '@nestjs/common';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Tx } from '../database/tx';

export interface ImportRow {
  id: string;
  tenant_id: string;
  kind: 'customers' | 'transactions';
  status: 'receiving' | 'queued' | 'processing' | 'completed' | 'failed';
  dry_run: boolean;
  format: string;
  charset: string;
  mapping: Record<string, unknown>;
  created_by: string | null;
  total_rows: number;
  total_groups: number;
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  cursor_line: number;
  cursor_key: string;
  batches: number;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface StagedRow {
  line_no: number;
  group_key: string | null;
  record: Record<string, string>;
}

export interface ImportErrorInput {
  line: number;
  column?: string | null;
  value?: string | null;
  code: string;
  message: string;
}

export interface ImportErrorRow {
  seq: string;
  line_no: number;
  column_name: string | null;
  value: string | null;
  code: string;
  message: string;
}

export interface BatchCounts {
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

const COLUMNS = `id, tenant_id, kind, status, dry_run, format, charset, mapping, created_by, total_rows, total_groups, processed, created,
  updated, skipped, failed, cursor_line, cursor_key, batches, error, started_at, finished_at, created_at, updated_at`;

/** COPY text format: backslash, tab, newline and carriage return are escaped. */
function copyText(value: string): string {
  if (!/[\\\t\n\r]/.test(value)) return value;
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\t/g, '\\t')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

/** All SQL of the imports feature: the import record, the staging spool and the error rows. */
@Injectable()
export class ImportsRepository {
  async insert(
    tx: Tx,
    row: {
      id: string;
      kind: string;
      dryRun: boolean;
      format: string;
      charset: string;
      mapping: unknown;
      createdBy: string | null;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO imports (tenant_id, id, kind, status, dry_run, format, charset, mapping, created_by)
       VALUES ($1, $2, $3, 'receiving', $4, $5, $6, $7, $8)`,
      [
        tx.tenant,
        row.id,
        row.kind,
        row.dryRun,
        row.format,
        row.charset,
        JSON.stringify(row.mapping),
        row.createdBy,
      ],
    );
  }

  async find(tx: Tx, id: string): Promise<ImportRow | undefined> {
    return tx.one<ImportRow>(`SELECT ${COLUMNS} FROM imports WHERE tenant_id = $1 AND id = $2`, [
      tx.tenant,
      id,
    ]);
  }

  /** The import for one batch of work; skipped when another worker holds it. */
  async lockForWork(tx: Tx, id: string): Promise<ImportRow | undefined> {
    return tx.one<ImportRow>(
      `SELECT ${COLUMNS} FROM imports WHERE tenant_id = $1 AND id = $2 AND status IN ('queued', 'processing') FOR UPDATE SKIP LOCKED`,
      [tx.tenant, id],
    );
  }

  /**
   * Stages rows with COPY: into a temporary table (COPY FROM is not allowed on tables with
   * row-level security), then one INSERT … SELECT into the tenant's spool.
   */
  async stage(tx: Tx, importId: string, rows: StagedRow[]): Promise<void> {
    if (!rows.length) return;
    await tx.query(
      `CREATE TEMP TABLE IF NOT EXISTS import_stage (line_no integer, group_key text, record jsonb) ON COMMIT DELETE ROWS`,
    );
    // One chunk for the whole batch: a chunk per row was a socket write per row (a fifth of
    // the upload's CPU).
    let text = '';
    for (const r of rows)
      text += `${r.line_no}\t${r.group_key === null ? '\\N' : copyText(r.group_key)}\t${copyText(JSON.stringify(r.record))}\n`;
    const stream = tx.client.query(
      copyFrom(`COPY import_stage (line_no, group_key, record) FROM STDIN`),
    );
    await pipeline(Readable.from([text]), stream);
    await tx.query(
      `INSERT INTO import_rows (tenant_id, import_id, line_no, group_key, record)
       SELECT $1, $2, line_no, group_key, record FROM import_stage`,
      [tx.tenant, importId],
    );
    await tx.query(`TRUNCATE import_stage`);
  }

  async insertErrors(tx: Tx, importId: string, errors: ImportErrorInput[]): Promise<void> {
    if (!errors.length) return;
    await tx.query(
      `INSERT INTO import_errors (tenant_id, import_id, line_no, column_name, value, code, message)
       SELECT $1, $2, e.line, e.col, e.value, e.code, e.message
         FROM jsonb_to_recordset($3::jsonb) AS e(line integer, col text, value text, code text, message text)`,
      [
        tx.tenant,
        importId,
        JSON.stringify(
          errors.map((e) => ({
            line: e.line,
            col: e.column ?? null,
            value: e.value ?? null,
            code: e.code,
            message: e.message,
          })),
        ),
      ],
    );
  }

  async addReceived(tx: Tx, id: string, rows: number, failed: number): Promise<void> {
    await tx.query(
      `UPDATE imports SET total_rows = total_rows + $3, failed = failed + $4, processed = processed + $4, updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id, rows, failed],
    );
  }

  /** Upload finished: how many rows or receipts the worker has to merge. */
  async queue(tx: Tx, id: string, grouped: boolean): Promise<void> {
    await tx.query(
      `UPDATE imports SET status = 'queued', updated_at = now(),
              total_groups = CASE WHEN $3 THEN (SELECT count(DISTINCT group_key) FROM import_rows r
                                                 WHERE r.tenant_id = $1 AND r.import_id = $2 AND group_key IS NOT NULL)
                                  ELSE total_rows END
        WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id, grouped],
    );
  }

  async fail(tx: Tx, id: string, message: string): Promise<void> {
    await tx.query(`DELETE FROM import_rows WHERE tenant_id = $1 AND import_id = $2`, [
      tx.tenant,
      id,
    ]);
    await tx.query(
      `UPDATE imports SET status = 'failed', error = $3, finished_at = now(), updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id, message],
    );
  }

  async nextLines(tx: Tx, id: string, afterLine: number, limit: number): Promise<StagedRow[]> {
    return tx.query<StagedRow>(
      `SELECT line_no, group_key, record FROM import_rows
        WHERE tenant_id = $1 AND import_id = $2 AND line_no > $3 ORDER BY line_no LIMIT $4`,
      [tx.tenant, id, afterLine, limit],
    );
  }

  /** All lines of the next `limit` receipts after `afterKey` (lines of one receipt may be far apart in the file). */
  async nextGroups(tx: Tx, id: string, afterKey: string, limit: number): Promise<StagedRow[]> {
    return tx.query<StagedRow>(
      `WITH keys AS (
         SELECT DISTINCT group_key FROM import_rows
          WHERE tenant_id = $1 AND import_id = $2 AND group_key IS NOT NULL AND group_key > $3
          ORDER BY group_key LIMIT $4)
       SELECT r.line_no, r.group_key, r.record FROM import_rows r JOIN keys k USING (group_key)
        WHERE r.tenant_id = $1 AND r.import_id = $2 ORDER BY r.group_key, r.line_no`,
      [tx.tenant, id, afterKey, limit],
    );
  }

  async startProcessing(tx: Tx, id: string): Promise<void> {
    await tx.query(
      `UPDATE imports SET status = 'processing', started_at = COALESCE(started_at, now()), updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id],
    );
  }

  /** Commits a batch's counts and cursor in the same transaction as its effects. */
  async advance(
    tx: Tx,
    id: string,
    counts: BatchCounts,
    cursor: { line?: number; key?: string },
  ): Promise<void> {
    await tx.query(
      `UPDATE imports SET processed = processed + $3, created = created + $4, updated = updated + $5, skipped = skipped + $6,
              failed = failed + $7, cursor_line = COALESCE($8, cursor_line), cursor_key = COALESCE($9, cursor_key),
              batches = batches + 1, updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [
        tx.tenant,
        id,
        counts.processed,
        counts.created,
        counts.updated,
        counts.skipped,
        counts.failed,
        cursor.line ?? null,
        cursor.key ?? null,
      ],
    );
  }

  async complete(tx: Tx, id: string): Promise<void> {
    await tx.query(`DELETE FROM import_rows WHERE tenant_id = $1 AND import_id = $2`, [
      tx.tenant,
      id,
    ]);
    await tx.query(
      `UPDATE imports SET status = 'completed', finished_at = now(), updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id],
    );
  }

  async errorsPage(
    tx: Tx,
    id: string,
    after: { line: number; seq: string } | undefined,
    limit: number,
  ): Promise<ImportErrorRow[]> {
    return tx.query<ImportErrorRow>(
      `SELECT seq::text AS seq, line_no, column_name, value, code, message FROM import_errors
        WHERE tenant_id = $1 AND import_id = $2 AND ($3::integer IS NULL OR (line_no, seq) > ($3, $4::bigint))
        ORDER BY line_no, seq LIMIT $5`,
      [tx.tenant, id, after?.line ?? null, after?.seq ?? null, limit + 1],
    );
  }

  /** System scope: unfinished imports of every tenant, for the resume at start-up. */
  async pending(tx: Tx): Promise<{ tenant_id: string; id: string }[]> {
    return tx.query(
      `SELECT tenant_id, id FROM imports WHERE status IN ('queued', 'processing') ORDER BY created_at`,
    );
  }

  /** System scope: uploads cut off by a crash can never finish; their spool is dropped. */
  async abandonReceiving(tx: Tx, olderThanSeconds: number): Promise<void> {
    await tx.query(
      `WITH gone AS (
         UPDATE imports SET status = 'failed', error = 'The upload was interrupted; send the file again.', finished_at = now(), updated_at = now()
          WHERE status = 'receiving' AND updated_at < now() - make_interval(secs => $1) RETURNING tenant_id, id)
       DELETE FROM import_rows r USING gone g WHERE r.tenant_id = g.tenant_id AND r.import_id = g.id`,
      [olderThanSeconds],
    );
  }
}
