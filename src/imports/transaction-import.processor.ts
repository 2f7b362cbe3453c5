import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';
import { CustomerIdentityCodec } from '../customers/customer-identity-codec';
import { LoyaltyProgramService } from '../loyalty/loyalty-program.service';
import { TransactionIngest } from '../transactions/transaction-ingest';
import type { PreparedTransaction } from '../transactions/transaction-validation';
import { CustomerImportProcessor, BatchOutcome } from './customer-import.processor';
import { CustomerImportRepository } from './customer-import.repository';
import type { ImportMapping } from './import-mapping';
import type { StagedRow } from './imports.repository';
import { AssembledReceipt, assembleReceipt, mappingSource } from './receipt-assembler';

const RECEIPT_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * Merges one batch of receipts: lines grouped by receipt, checked, customers referenced by an
 * external id created (or matched) on the fly, then handed to the transactions' own set-based
 * ingest, so idempotency by (source, receipt id), stats, points and events are exactly the
 * API's. Counts are per receipt: created, skipped (already imported or nothing valid), failed.
 */
@Injectable()
export class TransactionImportProcessor {
  constructor(
    private readonly ingest: TransactionIngest,
    private readonly programs: LoyaltyProgramService,
    private readonly customers: CustomerImportProcessor,
    private readonly customerRepository: CustomerImportRepository,
    private readonly codec: CustomerIdentityCodec,
  ) {}

  async process(
    tx: Tx,
    rows: StagedRow[],
    mapping: ImportMapping,
    headerOf: (field: string) => string | undefined,
    now: Date,
    importId: string,
  ): Promise<BatchOutcome> {
    const context = await this.programs.load(tx);
    const outcome: BatchOutcome = {
      counts: { processed: rows.length, created: 0, updated: 0, skipped: 0, failed: 0 },
      errors: [],
    };
    const groups = new Map<string, StagedRow[]>();
    for (const row of rows)
      groups.set(row.group_key!, [...(groups.get(row.group_key!) ?? []), row]);
    const receipts: AssembledReceipt[] = [];
    const assembly = {
      source: mappingSource(mapping),
      currency: mapping.currency ?? context.program.currency,
      timeZone: mapping.timeZone ?? context.timeZone,
      headerOf: (f: string) => headerOf(f) ?? f,
      now,
    };
    for (const [key, lines] of groups) {
      if (!RECEIPT_ID.test(key)) {
        outcome.counts.failed++;
        outcome.errors.push({
          line: lines[0].line_no,
          column: headerOf('receiptId') ?? 'receiptId',
          value: key.slice(0, 200),
          code: 'invalid_receipt_id',
          message: 'A receipt id is 1–128 visible ASCII characters.',
        });
        continue;
      }
      const result = assembleReceipt(lines, assembly);
      if ('errors' in result) {
        outcome.errors.push(...result.errors);
        if (result.skipped) outcome.counts.skipped++;
        else outcome.counts.failed++;
        continue;
      }
      outcome.errors.push(...result.ok.notices);
      receipts.push(result.ok);
    }

    // Customers known only by an external id are created (or matched) first, set-based.
    const externalIds = [
      ...new Set(receipts.map((r) => r.customer?.externalId).filter((x): x is string => !!x)),
    ];
    const byExternal = new Map<string, string>();
    if (externalIds.length) {
      const staged = externalIds.map((externalId, i) => ({
        line_no: i,
        group_key: null,
        record: { externalId },
      }));
      await this.customers.process(tx, staged, mapping.namespace, () => undefined, now);
      const identities = externalIds.map((value) =>
        this.codec.normalise({ type: 'external', namespace: mapping.namespace, value }, 'CN'),
      );
      const holders = await this.customerRepository.identityHolders(tx, identities);
      identities.forEach((identity, i) => {
        const holder = holders.get(`${identity.type}|${identity.namespace}|${identity.bidx}`);
        if (holder) byExternal.set(externalIds[i], holder);
      });
    }

    const prepared: PreparedTransaction[] = receipts.map((r, index) => {
      const ref = r.customer;
      const customer = !ref
        ? null
        : ref.externalId
          ? { id: byExternal.get(ref.externalId) ?? '00000000-0000-0000-0000-000000000000' }
          : { id: ref.id, phone: ref.phone, memberNo: ref.memberNo };
      return { ...r.transaction, index, customer };
    });
    const results = await this.ingest.ingest(tx, context, prepared, `import:${importId}`);
    for (const result of results) {
      const receipt = receipts[result.index];
      if (result.status === 'created') outcome.counts.created++;
      else if (result.status === 'duplicate') outcome.counts.skipped++;
      else {
        outcome.counts.failed++;
        const fields = result.error.options.errors ?? [
          { field: undefined, code: result.error.code, message: result.error.detail },
        ];
        for (const e of fields)
          outcome.errors.push({
            line: receipt.line,
            column: null,
            value: receipt.receiptId,
            code: e.code,
            message: `Receipt ${receipt.receiptId}: ${e.message}`,
          });
      }
    }
    return outcome;
  }
}
