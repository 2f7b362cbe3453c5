import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { CustomerImportPreparer, PreparedCustomers } from './customer-import.preparer';
import { CustomerImportProcessor, ImportGuess } from './customer-import.processor';
import type { ImportMapping } from './import-mapping';
import {
  BatchCounts,
  ImportErrorInput,
  ImportRow,
  ImportsRepository,
  StagedRow,
} from './imports.repository';
import { PreparedReceipts, TransactionImportProcessor } from './transaction-import.processor';

/** Thrown inside a dry-run batch to undo its writes after counting them. */
class DryRunRollback extends Error {}

/** A batch read (and prepared) before its turn. */
interface Early {
  rows: StagedRow[];
  prepared?: PreparedCustomers | PreparedReceipts;
}

interface Ahead {
  /** The cursor the read started after, and its size: used only if the batch starts there. */
  after: string;
  limit: number;
  result: Promise<Early | undefined>;
}

interface RunState {
  kind?: ImportRow['kind'];
  ahead?: Ahead;
  /** A customers import starts guessing its rows are new people (see CustomerImportProcessor). */
  guess?: ImportGuess;
}

/** Mapping target → the file's header for it (error reports name the file's columns). */
function headerLookup(mapping: ImportMapping): (field: string) => string {
  const headers = new Map(Object.entries(mapping.columns ?? {}).map(([h, t]) => [t, h]));
  return (field: string) => headers.get(field) ?? field;
}

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
  batchSize = 5000;
  receiptBatchSize = 2000;
  /** Test seam: runs inside each batch transaction before it commits (a throw = a crash mid-batch). */
  beforeCommit?: (importId: string, batch: number) => void | Promise<void>;

  constructor(
    private readonly db: Database,
    private readonly repository: ImportsRepository,
    private readonly customers: CustomerImportProcessor,
    private readonly preparer: CustomerImportPreparer,
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
    const state: RunState = { guess: { allNew: true } };
    for (let batches = 1, more = true; more && !this.stopping; batches++) {
      more = await this.db.withTenant(tenantId, (tx) => this.batch(tx, id, state));
      // After batches 1, 2, 4, 8, … and at the end, while the tables grow from nothing.
      if (state.kind && (!more || (batches & (batches - 1)) === 0))
        await this.analyze(state.kind, !more);
    }
  }

  /**
   * Fresh planner statistics for the tables an import grows (PostgreSQL's own advice after a
   * bulk load). Without them, foreign-key checks keep the plan each pooled connection cached
   * while the table was empty: for customer_identities → customers (a key dropped since, in
   * IdentityWritePath1764000100000) that was a scan of every customer of the tenant per
   * identity row, so a 1M-row import slowed down quadratically. ANALYZE invalidates those
   * cached plans, and keeps the identity look-up's estimates current. It needs the table owner; otherwise PostgreSQL
   * only warns and the import goes on.
   *
   * While a customers import runs, only the key columns those look-ups plan on are analysed
   * (the row counts are refreshed either way): statistics of every column and of the name
   * expression indexes sorted 30,000 sampled names in the locale each time, ~0.5 s of
   * PostgreSQL's core per ANALYZE with the import waiting. The last one covers everything.
   */
  private async analyze(kind: ImportRow['kind'], last: boolean): Promise<void> {
    const tables =
      kind === 'transactions'
        ? 'customers, customer_identities, transactions'
        : last
          ? 'customers, customer_identities'
          : 'customers (tenant_id, id, member_no), customer_identities (tenant_id, customer_id, type, namespace, value_bidx)';
    try {
      await this.db.systemQuery(`ANALYZE ${tables}`);
    } catch (error) {
      this.logger.warn(`ANALYZE after an import batch failed: ${String(error)}`);
    }
  }

  /** One batch; false when the import is finished (or another worker holds it). */
  private async batch(tx: Tx, id: string, state: RunState = {}): Promise<boolean> {
    const job = await this.repository.lockForWork(tx, id);
    if (!job) return false;
    // Many short set-based statements: compiling one with JIT costs more than it saves. The
    // commit need not wait for the WAL flush: a batch lost in a crash loses its cursor with it,
    // so the resume redoes it, never twice.
    await tx.query('SET LOCAL jit = off; SET LOCAL synchronous_commit = off');
    state.kind = job.kind;
    if (job.status === 'queued') await this.repository.startProcessing(tx, id);
    const grouped = job.kind === 'transactions';
    const after = grouped ? job.cursor_key : String(job.cursor_line);
    const limit = grouped ? this.receiptBatchSize : this.batchSize;
    // The batch read ahead counts only if it starts where the committed cursor is.
    const ahead = state.ahead;
    state.ahead = undefined;
    const early =
      ahead && ahead.after === after && ahead.limit === limit ? await ahead.result : undefined;
    const rows = early?.rows ?? (await this.read(tx, job, after, limit));
    if (!rows.length) {
      await this.repository.complete(tx, id);
      return false;
    }
    const last = grouped ? rows[rows.length - 1].group_key! : String(rows[rows.length - 1].line_no);
    if (!this.stopping && (grouped || rows.length === limit))
      state.ahead = this.readAhead(job, last, limit);
    const { counts, errors } = await this.apply(tx, job, rows, early?.prepared, state.guess);
    await this.repository.insertErrors(tx, id, errors);
    await this.repository.advance(
      tx,
      id,
      counts,
      grouped ? { key: last } : { line: rows[rows.length - 1].line_no },
    );
    await this.beforeCommit?.(id, job.batches + 1);
    return true;
  }

  private read(tx: Tx, job: ImportRow, after: string, limit: number): Promise<StagedRow[]> {
    return job.kind === 'transactions'
      ? this.repository.nextGroups(tx, job.id, after, limit)
      : this.repository.nextLines(tx, job.id, Number(after), limit);
  }

  /**
   * Reads the batch after `after` on another connection and prepares it (parse, check,
   * normalise, encrypt: no writes) while the current batch's statements run, so Node's work
   * and PostgreSQL's overlap. Staged rows never change once queued, so reading them outside
   * the batch's transaction is safe; a failure here only means the batch is read again.
   */
  private readAhead(job: ImportRow, after: string, limit: number): Ahead {
    const mapping = job.mapping as unknown as ImportMapping;
    const headerOf = headerLookup(mapping);
    const result = (async (): Promise<Early | undefined> => {
      try {
        const read = await this.db.withTenant(job.tenant_id, async (tx) => {
          const rows = await this.read(tx, job, after, limit);
          if (!rows.length) return { rows };
          return job.kind === 'customers'
            ? { rows, customers: await this.preparer.context(tx) }
            : { rows, receipts: await this.transactions.context(tx, mapping) };
        });
        if ('customers' in read && read.customers)
          return {
            rows: read.rows,
            prepared: await this.preparer.prepare(
              read.rows,
              read.customers,
              mapping.namespace,
              headerOf,
              true,
            ),
          };
        if ('receipts' in read && read.receipts)
          return {
            rows: read.rows,
            prepared: await this.transactions.prepare(
              read.rows,
              mapping,
              headerOf,
              read.receipts,
              true,
            ),
          };
        return { rows: read.rows };
      } catch (error) {
        this.logger.warn(`reading import ${job.id} ahead failed: ${String(error)}`);
        return undefined;
      }
    })();
    return { after, limit, result };
  }

  private async apply(
    tx: Tx,
    job: ImportRow,
    rows: StagedRow[],
    prepared: Early['prepared'],
    guess?: ImportGuess,
  ): Promise<{ counts: BatchCounts; errors: ImportErrorInput[] }> {
    const mapping = job.mapping as unknown as ImportMapping;
    const headerOf = headerLookup(mapping);
    const now = this.clock.now();
    const work = () =>
      job.kind === 'customers'
        ? this.customers.process(
            tx,
            rows,
            mapping.namespace,
            headerOf,
            now,
            `import:${job.id}`,
            prepared && 'rows' in prepared ? prepared : undefined,
            guess,
          )
        : this.transactions.process(
            tx,
            rows,
            mapping,
            headerOf,
            now,
            job.id,
            prepared && 'receipts' in prepared ? prepared : undefined,
          );
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
