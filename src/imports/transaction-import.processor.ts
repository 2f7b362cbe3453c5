import { setImmediate as nextTurn } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';
import { CustomerIdentityCodec } from '../customers/customer-identity-codec';
import { LoyaltyProgramService, ProgramContext } from '../loyalty/loyalty-program.service';
import { TransactionIngest } from '../transactions/transaction-ingest';
import type { PreparedTransaction } from '../transactions/transaction-validation';
import { CustomerImportProcessor, BatchOutcome } from './customer-import.processor';
import { CustomerImportRepository } from './customer-import.repository';
import type { ImportMapping } from './import-mapping';
import type { ImportErrorInput, StagedRow } from './imports.repository';
import { AssembledReceipt, assembleReceipt, mappingSource } from './receipt-assembler';

const RECEIPT_ID = /^[\x21-\x7e]{1,128}$/;
/** Receipts assembled between two turns of the event loop when preparing ahead. */
const SLICE = 50;

export interface ReceiptBatchContext {
  program: ProgramContext;
  currency: string;
  timeZone: string;
  /** Equal fingerprints: receipts assembled under one context stand under the other. */
  fingerprint: string;
}

export interface PreparedReceipts {
  fingerprint: string;
  receipts: AssembledReceipt[];
  errors: ImportErrorInput[];
  failed: number;
  skipped: number;
}

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

  /** The receipt-level defaults a batch is assembled with (mapping first, then the program). */
  async context(tx: Tx, mapping: ImportMapping): Promise<ReceiptBatchContext> {
    const program = await this.programs.load(tx);
    const currency = mapping.currency ?? program.program.currency;
    const timeZone = mapping.timeZone ?? program.timeZone;
    return { program, currency, timeZone, fingerprint: `${currency}|${timeZone}` };
  }

  /**
   * The database-free half of a batch: lines grouped by receipt and assembled (parsed,
   * checked, hashed). `ahead`: yield to the event loop every few hundred receipts, so the
   * worker can run it for the next batch while the current one is merged.
   */
  async prepare(
    rows: StagedRow[],
    mapping: ImportMapping,
    headerOf: (field: string) => string | undefined,
    context: Pick<ReceiptBatchContext, 'currency' | 'timeZone' | 'fingerprint'>,
    ahead = false,
  ): Promise<PreparedReceipts> {
    const out: PreparedReceipts = {
      fingerprint: context.fingerprint,
      receipts: [],
      errors: [],
      failed: 0,
      skipped: 0,
    };
    const groups = new Map<string, StagedRow[]>();
    for (const row of rows) {
      const lines = groups.get(row.group_key!);
      if (lines) lines.push(row);
      else groups.set(row.group_key!, [row]);
    }
    const assembly = {
      source: mappingSource(mapping),
      currency: context.currency,
      timeZone: context.timeZone,
      headerOf: (f: string) => headerOf(f) ?? f,
      now: new Date(),
    };
    let done = 0;
    for (const [key, lines] of groups) {
      if (ahead && ++done % SLICE === 0) await nextTurn();
      if (!RECEIPT_ID.test(key)) {
        out.failed++;
        out.errors.push({
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
        out.errors.push(...result.errors);
        if (result.skipped) out.skipped++;
        else out.failed++;
        continue;
      }
      out.errors.push(...result.ok.notices);
      out.receipts.push(result.ok);
    }
    return out;
  }

  async process(
    tx: Tx,
    rows: StagedRow[],
    mapping: ImportMapping,
    headerOf: (field: string) => string | undefined,
    now: Date,
    importId: string,
    ahead?: PreparedReceipts,
  ): Promise<BatchOutcome> {
    const batch = await this.context(tx, mapping);
    const context = batch.program;
    // Receipts assembled ahead under the same currency and time zone are used as they are.
    const prepared =
      ahead?.fingerprint === batch.fingerprint
        ? ahead
        : await this.prepare(rows, mapping, headerOf, batch);
    const outcome: BatchOutcome = {
      counts: {
        processed: rows.length,
        created: 0,
        updated: 0,
        skipped: prepared.skipped,
        failed: prepared.failed,
      },
      errors: [...prepared.errors],
    };
    const receipts = prepared.receipts;

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

    const transactions: PreparedTransaction[] = receipts.map((r, index) => {
      const ref = r.customer;
      const customer = !ref
        ? null
        : ref.externalId
          ? { id: byExternal.get(ref.externalId) ?? '00000000-0000-0000-0000-000000000000' }
          : { id: ref.id, phone: ref.phone, memberNo: ref.memberNo };
      return { ...r.transaction, index, customer };
    });
    const results = await this.ingest.ingest(tx, context, transactions, `import:${importId}`);
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
