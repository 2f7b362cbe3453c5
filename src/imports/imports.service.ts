import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { pageLimit } from '../common/pagination';
import { isUuid, uuid7 } from '../common/uuid7';
import { Database } from '../database/database.service';
import { ImportErrorPageModel, ImportModel } from './dto/import.model';
import { defaultTarget, ImportKind, parseMapping, resolveColumns } from './import-mapping';
import {
  decodeText,
  ImportCharset,
  ImportFormat,
  parseCharset,
  readCsv,
  readNdjson,
  SourceRecord,
} from './import-reader';
import { ImportWorker } from './import-worker';
import { toImportModel } from './imports.mapper';
import { ImportErrorInput, ImportsRepository, StagedRow } from './imports.repository';

/** Uploads larger than this are refused while they stream (the 2 GB ceiling). */
export const MAX_IMPORT_BYTES = 2 * 1024 ** 3;
const STAGE_BATCH = 5000;

export interface StartImport {
  kind: ImportKind;
  dryRun: boolean;
  format: ImportFormat;
  charset?: string;
  mapping?: unknown;
}

/**
 * Import use cases. `start` reads the body as it streams (never holding the file), stages
 * mapped rows in batches, and hands the import to the worker; rows that cannot be read are
 * reported with their line numbers and do not stop the import.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly db: Database,
    private readonly repository: ImportsRepository,
    private readonly worker: ImportWorker,
    private readonly clock: Clock,
  ) {}

  async start(
    principal: Principal,
    input: StartImport,
    body: AsyncIterable<Buffer | string>,
    options: { wait?: boolean } = {},
  ): Promise<ImportModel> {
    const mapping = parseMapping(input.mapping, input.kind);
    const declared = parseCharset(input.charset);
    const id = uuid7(this.clock.now().getTime());
    const tenantId = principal.tenantId;
    let charset: ImportCharset = declared ?? 'utf-8';
    let writing: Promise<void> = Promise.resolve();
    await this.db.withTenant(tenantId, (tx) =>
      this.repository.insert(tx, {
        id,
        kind: input.kind,
        dryRun: input.dryRun,
        format: input.format,
        charset,
        mapping,
        createdBy: `${principal.kind}:${principal.subject}`,
      }),
    );
    try {
      const text = decodeText(limitBytes(body), declared, (c) => (charset = c));
      let columns: Map<string, string> | undefined;
      const records: AsyncIterable<SourceRecord> =
        input.format === 'csv'
          ? readCsv(text, (header) => {
              if (!header.length)
                throw new DomainError('validation_failed', 'The file is empty.', {
                  errors: [
                    {
                      field: 'body',
                      code: 'empty_file',
                      message: 'The file has no header and no rows.',
                    },
                  ],
                });
              columns = resolveColumns(mapping, header, input.kind);
            })
          : readNdjson(text);
      // NDJSON has no header: the mapping's keys, or keys that already are field names.
      if (input.format === 'ndjson' && Object.keys(mapping.columns).length)
        columns = new Map(Object.entries(mapping.columns));
      const targetOf = (source: string) =>
        columns ? columns.get(source) : defaultTarget(input.kind, source);
      const groupTarget = input.kind === 'transactions' ? 'receiptId' : undefined;
      let rows: StagedRow[] = [];
      let errors: ImportErrorInput[] = [];
      let received = 0;
      // One batch is written while the next is parsed (one write at a time, in file order).
      const flush = async () => {
        const [r, e] = [rows, errors];
        rows = [];
        errors = [];
        await writing;
        writing = this.db.withTenant(tenantId, async (tx) => {
          await this.repository.stage(tx, id, r);
          await this.repository.insertErrors(tx, id, e);
          await this.repository.addReceived(tx, id, r.length + e.length, e.length);
        });
        // Observed by the next flush or the final await; never an unhandled rejection.
        writing.catch(() => undefined);
      };
      for await (const record of records) {
        received++;
        if (record.error)
          errors.push({
            line: record.line,
            code: record.error.code,
            message: record.error.message,
            column: record.error.column,
          });
        else {
          const mapped: Record<string, string> = {};
          for (const [source, value] of Object.entries(record.values!)) {
            const target = targetOf(source);
            if (target !== undefined && value !== '') mapped[target] = value;
          }
          const group = groupTarget ? (mapped[groupTarget] ?? '').trim() : null;
          if (groupTarget && !group)
            errors.push({
              line: record.line,
              column: columns ? headerOf(columns, groupTarget) : groupTarget,
              code: 'required',
              message: 'The receipt id is empty.',
            });
          else rows.push({ line_no: record.line, group_key: group, record: mapped });
        }
        if (rows.length + errors.length >= STAGE_BATCH) await flush();
      }
      if (!received)
        throw new DomainError('validation_failed', 'The file has no data rows.', {
          errors: [
            { field: 'body', code: 'empty_file', message: 'The file has a header but no rows.' },
          ],
        });
      await flush();
      await writing;
      await this.db.withTenant(tenantId, async (tx) => {
        await tx.query(`UPDATE imports SET charset = $3 WHERE tenant_id = $1 AND id = $2`, [
          tenantId,
          id,
          charset,
        ]);
        await this.repository.queue(tx, id, !!groupTarget);
      });
    } catch (error) {
      // Nothing of a refused upload stays behind: its staged rows go (after the batch being
      // written, if any), the record says why.
      await writing.catch(() => undefined);
      await this.db.withTenant(tenantId, (tx) =>
        this.repository.fail(tx, id, error instanceof Error ? error.message : String(error)),
      );
      throw error;
    }
    const run = this.worker.kick(tenantId, id);
    if (options.wait) await run;
    return this.get(principal, id);
  }

  async get(principal: Principal, id: string): Promise<ImportModel> {
    if (!isUuid(id)) throw DomainError.notFound('Import');
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const row = await this.repository.find(tx, id);
      if (!row) throw DomainError.notFound('Import');
      return toImportModel(row, this.clock.now());
    });
  }

  async errors(
    principal: Principal,
    id: string,
    query: { limit?: number; cursor?: string },
  ): Promise<ImportErrorPageModel> {
    if (!isUuid(id)) throw DomainError.notFound('Import');
    const limit = pageLimit(query);
    const after = decodeErrorCursor(query.cursor);
    return this.db.withTenant(principal.tenantId, async (tx) => {
      if (!(await this.repository.find(tx, id))) throw DomainError.notFound('Import');
      const rows = await this.repository.errorsPage(tx, id, after, limit);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((r) => ({
          line: r.line_no,
          column: r.column_name,
          value: r.value,
          code: r.code,
          message: r.message,
        })),
        nextCursor:
          rows.length > limit && last
            ? Buffer.from(JSON.stringify([last.line_no, last.seq])).toString('base64url')
            : null,
      };
    });
  }
}

function headerOf(columns: Map<string, string>, target: string): string {
  for (const [h, t] of columns) if (t === target) return h;
  return target;
}

async function* limitBytes(body: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    total += buffer.length;
    if (total > MAX_IMPORT_BYTES)
      throw new DomainError('payload_too_large', 'Imports are limited to 2 GB; split the file.');
    yield buffer;
  }
}

function decodeErrorCursor(cursor: string | undefined): { line: number; seq: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [line, seq] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      number,
      string,
    ];
    if (!Number.isInteger(line) || !/^\d+$/.test(seq)) throw new Error();
    return { line, seq };
  } catch {
    throw DomainError.field('cursor', 'invalid_cursor', 'cursor is not one this API issued.');
  }
}
