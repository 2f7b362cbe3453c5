import { setImmediate as nextTurn } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { PiiCrypto } from '../common/crypto/pii-crypto.service';
import { DomainError } from '../common/errors/domain-error';
import type { Tx } from '../database/tx';
import {
  AttributeDefinitionsRepository,
  toDefinitionLike,
} from '../customers/attribute-definitions.repository';
import { CustomerIdentityCodec, NormalisedIdentity } from '../customers/customer-identity-codec';
import { CustomerProfileBuilder, ProfileChange } from '../customers/customer-profile-builder';
import {
  CustomerTenantSettings,
  CustomerTenantSettingsService,
} from '../customers/customer-tenant-settings';
import { CustomerRowInput, readCustomerRow } from './customer-row-reader';
import type { ImportErrorInput, StagedRow } from './imports.repository';
import { maskValue } from './import-values';

/** An identity of a row, with its ciphertext when the profile columns already hold one. */
export type RowIdentity = NormalisedIdentity & { enc?: string };

export interface PreparedRow {
  line: number;
  input: CustomerRowInput;
  identities: RowIdentity[];
  /** The profile built from this row's own input (reused when it is created alone). */
  change?: ProfileChange;
}

/** What a batch is checked against: the tenant's settings and attribute definitions. */
export interface CustomerBatchContext {
  settings: CustomerTenantSettings;
  definitions: ReturnType<typeof toDefinitionLike>[];
  /** Equal fingerprints: rows prepared under one context stand under the other. */
  fingerprint: string;
}

/** The per-row half of a customers batch: no database, so it can run ahead of the merge. */
export interface PreparedCustomers {
  fingerprint: string;
  rows: PreparedRow[];
  errors: ImportErrorInput[];
  failed: number;
  skipped: number;
}

/**
 * Rows prepared between two turns of the event loop when preparing ahead: few, so a statement
 * of the batch being merged that has finished waits about a millisecond (≈ 100 µs a row) for
 * the next one. With 50 it waited up to 6 ms at each of a batch's ten or so statements, while
 * PostgreSQL — the import's bottleneck — sat idle; a turn costs a microsecond or two.
 */
const SLICE = 10;

/**
 * Reads, validates, normalises, encrypts and blind-indexes the rows of a customers batch with
 * the customers' own builder and codec (so an import stores exactly what `POST /v1/customers`
 * would). Pure CPU: the worker runs it for the next batch while the current one is merged.
 */
@Injectable()
export class CustomerImportPreparer {
  constructor(
    private readonly definitionsRepository: AttributeDefinitionsRepository,
    private readonly settingsService: CustomerTenantSettingsService,
    private readonly builder: CustomerProfileBuilder,
    private readonly codec: CustomerIdentityCodec,
    private readonly crypto: PiiCrypto,
  ) {}

  async context(tx: Tx): Promise<CustomerBatchContext> {
    const settings = await this.settingsService.get(tx);
    const definitions = (await this.definitionsRepository.list(tx)).map(toDefinitionLike);
    return { settings, definitions, fingerprint: JSON.stringify([settings, definitions]) };
  }

  /** `ahead`: yield to the event loop every few hundred rows (the merge's queries go on meanwhile). */
  async prepare(
    staged: StagedRow[],
    context: CustomerBatchContext,
    namespace: string | undefined,
    headerOf: (field: string) => string | undefined,
    ahead = false,
  ): Promise<PreparedCustomers> {
    const { settings, definitions } = context;
    const byKey = new Map(definitions.map((d) => [d.key, d]));
    const out: PreparedCustomers = {
      fingerprint: context.fingerprint,
      rows: [],
      errors: [],
      failed: 0,
      skipped: 0,
    };
    const fail = (
      line: number,
      field: string | undefined,
      code: string,
      message: string,
      record?: Record<string, string>,
    ) => {
      const key = field?.startsWith('attributes.') ? `attr.${field.slice(11)}` : field;
      const column = key ? (headerOf(key) ?? field!) : null;
      const raw =
        field && record ? (record[key!] ?? record[`address.${field.split('.')[1]}`]) : undefined;
      out.errors.push({ line, column, value: maskValue(field, raw), code, message });
    };

    for (let i = 0; i < staged.length; i++) {
      if (ahead && i && i % SLICE === 0) await nextTurn();
      const s = staged[i];
      const input = readCustomerRow(s.record, byKey);
      // Validate with the customers' own rules (region-aware phone, e-mail, attributes).
      const check = this.builder.apply({ ...input.fields }, undefined, settings, definitions);
      input.errors.push(...check.errors);
      // The builder already encrypted and blind-indexed phone and e-mail: the identity rows
      // reuse both instead of computing them again.
      const identities: RowIdentity[] = [];
      if (check.phone)
        identities.push({
          type: 'phone',
          namespace: '',
          value: check.phone,
          bidx: check.columns.phone_bidx!,
          enc: check.columns.phone_enc!,
        });
      if (check.email)
        identities.push({
          type: 'email',
          namespace: '',
          value: check.email,
          bidx: check.columns.email_bidx!,
          enc: check.columns.email_enc!,
        });
      // Encrypted here, not when the identity row is written: this runs ahead, overlapped
      // with the previous batch's statements, while the write is on the batch's critical path.
      if (input.memberNo)
        identities.push({
          type: 'member_no',
          namespace: '',
          value: input.memberNo,
          bidx: this.codec.bidx('member_no', input.memberNo),
          enc: this.crypto.encrypt(input.memberNo),
        });
      if (input.externalId) {
        try {
          identities.push(
            this.codec.normalise(
              { type: 'external', namespace, value: input.externalId },
              settings.region,
              'externalId',
            ),
          );
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          input.errors.push({ field: 'externalId', code: 'invalid', message: error.detail });
        }
      }
      if (input.errors.length) {
        out.failed++;
        const seen = new Set<string>();
        for (const e of input.errors)
          if (!seen.has(e.field)) {
            seen.add(e.field);
            fail(s.line_no, e.field, e.code, e.message, s.record);
          }
        continue;
      }
      if (!identities.length && !input.fields.name) {
        out.skipped++;
        fail(
          s.line_no,
          undefined,
          'empty_row',
          'The row has no name and no phone, e-mail, member number or external id.',
        );
        continue;
      }
      out.rows.push({ line: s.line_no, input, identities, change: check });
    }
    return out;
  }
}
