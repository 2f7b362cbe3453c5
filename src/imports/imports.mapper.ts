import type { ImportModel } from './dto/import.model';
import type { ImportRow } from './imports.repository';

export function toImportModel(row: ImportRow, now: Date): ImportModel {
  const total = row.total_rows;
  const end = row.finished_at ?? now;
  const seconds = row.started_at
    ? Math.max((end.getTime() - row.started_at.getTime()) / 1000, 0.001)
    : 0;
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    dryRun: row.dry_run,
    format: row.format,
    charset: row.charset,
    totalRows: total,
    totalGroups: row.total_groups,
    processed: row.processed,
    created: row.created,
    updated: row.updated,
    skipped: row.skipped,
    failed: row.failed,
    percent:
      row.status === 'completed'
        ? 100
        : total
          ? Math.round((row.processed / total) * 1000) / 10
          : 0,
    rate: seconds ? Math.round((row.processed / seconds) * 10) / 10 : 0,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at ? row.started_at.toISOString() : null,
    finishedAt: row.finished_at ? row.finished_at.toISOString() : null,
  };
}
