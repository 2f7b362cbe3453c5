import { Injectable } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hasScope, Principal } from '../../auth/principal';
import { PiiCrypto } from '../../common/crypto/pii-crypto.service';
import { DomainError } from '../../common/errors/domain-error';
import { maskEmail, maskPhone } from '../../customers/customer-masking';
import { ConsentService } from '../../consent/consent.service';
import { Database } from '../../database/database.service';
import { AuditService } from '../../privacy/audit/audit.service';
import { EXPORT_FIELDS, ExportField, ExportQuery } from '../dto/segment.input';
import { CONSENT_CHANNELS } from '../rules/read-models';
import { SegmentsService } from '../segments.service';
import { CopyTextToNdjson } from './copy-to-ndjson';
import { CsvLineEnds, ExportEncoder } from './export-format';
import { SegmentExportRepository } from './segment-export.repository';

const DEFAULT_FIELDS: ExportField[] = ['id', 'memberNo', 'name', 'city', 'tier'];

export interface ExportTarget {
  contentType: string;
  filename: string;
}

export interface ExportSummary {
  segmentId: string;
  segmentName: string;
  rows: number;
  channel: string | null;
  format: string;
}

/**
 * Streams a segment's members from a database cursor to the caller with backpressure: the
 * cursor is read only as fast as the socket drains, so memory stays flat for any size.
 * Everything that can fail with a 4xx is checked before the first byte is sent.
 */
@Injectable()
export class SegmentExportService {
  constructor(
    private readonly database: Database,
    private readonly segments: SegmentsService,
    private readonly exports: SegmentExportRepository,
    private readonly pii: PiiCrypto,
    private readonly consent: ConsentService,
    private readonly audit: AuditService,
  ) {}

  async export(
    principal: Principal,
    segmentId: string,
    query: ExportQuery,
    open: (target: ExportTarget) => Writable,
  ): Promise<ExportSummary> {
    const format = query.format ?? 'ndjson';
    const fields = this.parseFields(query.fields);
    const channel = query.channel;
    if (channel !== undefined && !(CONSENT_CHANNELS as readonly string[]).includes(channel)) {
      throw DomainError.field(
        'channel',
        'unknown_channel',
        `channel must be one of ${CONSENT_CHANNELS.join(', ')}.`,
      );
    }
    const unmasked = hasScope(principal, 'pii:read');
    const decrypt = (value: unknown, mask: (v: string) => string) => {
      if (typeof value !== 'string') return null;
      const plain = this.pii.decrypt(value);
      return unmasked ? plain : mask(plain);
    };
    const summary = await this.database.withTenant(principal.tenantId, async (tx) => {
      await tx.query(`SET LOCAL statement_timeout = 0`);
      const segment = await this.segments.load(tx, segmentId);
      const consent = channel
        ? { channel, sql: (ref: string) => this.consent.marketingAllowedSql('c', ref) }
        : undefined;
      const target = {
        contentType:
          format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        filename: `segment-${segment.id}${channel ? `-${channel}` : ''}.${format === 'csv' ? 'csv' : 'ndjson'}`,
      };
      const done = (rows: number): ExportSummary => ({
        segmentId: segment.id,
        segmentName: segment.name,
        rows,
        channel: channel ?? null,
        format,
      });
      if (SegmentExportRepository.copyable(fields)) {
        // Fast path: plain columns by COPY (no per-row round trips or row objects); the NDJSON
        // or CSV line ends are written in Node over bytes.
        if (format === 'ndjson') {
          const copy = this.exports.copyNdjson(tx, segment.id, fields, consent);
          const lines = new CopyTextToNdjson(copy.cells);
          await pipeline(copy.rows, lines, open(target));
          return done(lines.rows);
        }
        const csv = new CsvLineEnds(fields, { bom: query.bom === 'true' });
        await pipeline(this.exports.copyCsv(tx, segment.id, fields, consent), csv, open(target));
        return done(csv.rows);
      }
      // Cursor path: phone and email are decrypted (and masked without pii:read) here.
      const encoder = new ExportEncoder(
        format,
        fields,
        (row) => {
          if ('phone' in row) row.phone = decrypt(row.phone, maskPhone);
          if ('email' in row) row.email = decrypt(row.email, maskEmail);
          return row;
        },
        { bom: query.bom === 'true' },
      );
      const source = this.exports.stream(tx, segment.id, fields, consent);
      await pipeline(source, encoder, open(target));
      return done(encoder.rows);
    });
    // Who exported which segment, for which channel, how many rows (PIPL accountability).
    this.audit.recordFor(principal, {
      action: 'segment.export',
      resource: 'GET /v1/segments/:id/export',
      fields: fields.filter((f) => f === 'phone' || f === 'email' || f === 'name'),
      details: {
        segmentId: summary.segmentId,
        segmentName: summary.segmentName,
        rows: summary.rows,
        channel: summary.channel,
        format,
        fields,
      },
    });
    return summary;
  }

  private parseFields(text: string | undefined): ExportField[] {
    if (!text) return DEFAULT_FIELDS;
    const fields = text.split(',').filter(Boolean);
    const unknown = fields.filter((f) => !(EXPORT_FIELDS as readonly string[]).includes(f));
    if (unknown.length || !fields.length) {
      throw DomainError.field(
        'fields',
        'not_allowed',
        `fields must be from ${EXPORT_FIELDS.join(', ')}; unknown: ${unknown.join(', ') || '(none given)'}.`,
      );
    }
    return [...new Set(fields)] as ExportField[];
  }
}
