import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { CustomerImportProcessor } from './customer-import.processor';
import type { ImportMapping } from './import-mapping';
import {
  BatchCounts,
  ImportErrorInput,
  ImportRow,
  ImportsRepository,
  StagedRow,
} from './imports.repository';
import { TransactionImportProcessor } from './transaction-import.processor';

/** Thrown inside a dry-run batch to undo its writes after counting them. */
class DryRunRollback extends Error {}

/**
 * Merges staged imports batch by batch. Each batch is one database transaction holding its
 * effects, its error rows and the import's cursor, so after a crash the next start (or any
 * replica: the import row is taken with SKIP LOCKED) continues after the last committed batch.
 */
@Injectable()
export class ImportWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ImportWorker.name);
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  /** Customer rows per batch, receipts per batch for transactions. */
  batchSize = 2000;
  receiptBatchSize = 1000;
  /** Test seam: runs inside each batch transaction before it commits (a throw = a crash mid-batch). */
  beforeCommit?: (importId: string, batch: number) => void | Promise<void>;

  constructor(
    private readonly db: Database,
    private readonly repository: ImportsRepository,
    private readonly customers: CustomerImportProcessor,
    private readonly transactions: TransactionImportProcessor,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: a long import must not hold up the start; the API answers meanwhile.
    void this.resumePending().catch((error: unknown) =>
      this.logger.error(`resuming imports failed: ${String(error)}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running.values()]);
  }

  /** Picks up imports a crash or restart left unfinished. */
  async resumePending(): Promise<void> {
    const pending = await this.db.withSystem(async (tx) => {
      await this.repository.abandonReceiving(tx, 600);
      return this.repository.pending(tx);
    });
    await Promise.all(pending.map((p) => this.kick(p.tenant_id, p.id)));
  }

  /** Starts (or joins) the run of one import. */
  kick(tenantId: string, id: string): Promise<void> {
    const existing = this.running.get(id);
    if (existing) return existing;
    const run = this.run(tenantId, id)
      .catch(async (error: unknown) => {
        this.logger.error(
          `import ${id} stopped: ${error instanceof Error ? error.stack : String(error)}`,
        );
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, run);
    return run;
  }

  private async run(tenantId: string, id: string): Promise<void> {
    for (let more = true; more && !this.stopping;) {
      more = await this.db.withTenant(tenantId, (tx) => this.batch(tx, id));
    }
  }

  /** One batch; false when the import is finished (or another worker holds it). */
  private async batch(tx: Tx, id: string): Promise<boolean> {
    const job = await this.repository.lockForWork(tx, id);
    if (!job) return false;
    if (job.status === 'queued') await this.repository.startProcessing(tx, id);
    const grouped = job.kind === 'transactions';
    const rows = grouped
      ? await this.repository.nextGroups(tx, id, job.cursor_key, this.receiptBatchSize)
      : await this.repository.nextLines(tx, id, job.cursor_line, this.batchSize);
    if (!rows.length) {
      await this.repository.complete(tx, id);
      return false;
    }
    const { counts, errors } = await this.apply(tx, job, rows);
    await this.repository.insertErrors(tx, id, errors);
    await this.repository.advance(
      tx,
      id,
      counts,
      grouped ? { key: rows[rows.length - 1].group_key! } : { line: rows[rows.length - 1].line_no },
    );
    await this.beforeCommit?.(id, job.batches + 1);
    return true;
  }

  private async apply(
    tx: Tx,
    job: ImportRow,
    rows: StagedRow[],
  ): Promise<{ counts: BatchCounts; errors: ImportErrorInput[] }> {
    const mapping = job.mapping as unknown as ImportMapping;
    const headers = new Map(Object.entries(mapping.columns ?? {}).map(([h, t]) => [t, h]));
    const headerOf = (field: string) => headers.get(field) ?? field;
    const now = this.clock.now();
    const work = () =>
      job.kind === 'customers'
        ? this.customers.process(tx, rows, mapping.namespace, headerOf, now, `import:${job.id}`)
        : this.transactions.process(tx, rows, mapping, headerOf, now, job.id);
    if (!job.dry_run) return work();
    // A dry run does the same work inside a savepoint and undoes it: the counts are real.
    await tx.query('SAVEPOINT dry_run');
    let outcome: Awaited<ReturnType<typeof work>> | undefined;
    try {
      outcome = await work();
      throw new DryRunRollback();
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
      await tx.query('ROLLBACK TO SAVEPOINT dry_run');
    }
    return outcome!;
  }
}
