import { Global, Injectable, Module } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { DomainError } from '../common/errors/domain-error';
import type { Tx } from '../database/tx';

/** Adds a block to the customer view, e.g. `stats` (transactions) or `rfm` (segments). */
export type CustomerViewLoader = (tx: Tx, customerIds: string[]) => Promise<Map<string, unknown>>;

/**
 * The same block read as one more column of the statement that reads the customer rows (a
 * search page), instead of a statement and round trip of its own. `sql` is a scalar expression
 * over the customers row `alias` (usually a json subquery); in it `$1` is the tenant, `param`
 * adds any other parameter (its value read on every execution: the SQL text is built once). `toBlocks` maps the column's values (customer id → value, rows
 * where it was null left out) to blocks, as the loader would have answered.
 */
export interface CustomerViewColumn {
  sql: (alias: string, param: (value: () => unknown) => string) => string;
  toBlocks: (tx: Tx, values: Map<string, unknown>) => Promise<Map<string, unknown>>;
}

/** The view columns of a statement: select-list text and its parameters' current values. */
export interface ViewColumnsSql {
  sql: string;
  values: () => unknown[];
}

/** Moves a feature's rows from merged source customers to the survivor, inside the merge transaction. */
export type CustomerMergeHandler = (
  tx: Tx,
  survivorId: string,
  sourceIds: string[],
) => Promise<void>;

/** Reverses what a merge handler did beyond re-pointing rows (refresh caches), when a merge is undone. */
export type CustomerUnmergeHandler = (
  tx: Tx,
  survivorId: string,
  sourceIds: string[],
) => Promise<void>;

/** Who merges and why; recorded with the merge. */
export interface MergeContext {
  principal: Principal;
  reason?: string | null;
  /** The match rule that triggered an automatic merge; null for a manual one. */
  rule?: string | null;
}

/** Sees every merge from inside its transaction (the identity module records and snapshots them). */
export interface CustomerMergeObserver {
  beforeMerge(
    tx: Tx,
    survivorId: string,
    sourceIds: string[],
    context: MergeContext,
  ): Promise<unknown>;
  afterMerge(
    tx: Tx,
    survivorId: string,
    sourceIds: string[],
    context: MergeContext,
    state: unknown,
  ): Promise<void>;
}

/** An identity a write brings that another customer already holds. */
export interface IdentityClaim {
  type: string;
  namespace: string;
  bidx: string;
  /** The writer says it verified this id. */
  verified: boolean;
  holderId: string;
}

export interface IdentityClaimContext {
  principal: Principal;
  /**
   * `create`: a new registration; `update`: a PATCH of `customerId` bringing a phone / e-mail;
   * `identity`: an identity added to `customerId`; `ingest`: a sale naming its customer by
   * several identities; `import`: a file row. For `ingest` and `import` the identities only say
   * who the write is about, so one holder is simply that customer; rules decide between several.
   */
  write: 'create' | 'update' | 'identity' | 'ingest' | 'import';
  customerId?: string;
  /** The phone blind index the write brings, if any (two different phones never merge silently). */
  phoneBidx?: string | null;
  /** `update` sets the phone of `customerId` to `phoneBidx`: its stored phone no longer counts. */
  replacesPhone?: boolean;
  claims: IdentityClaim[];
}

/** The customer a write lands on, or why it may not (409 `identity_conflict`, nothing written). */
export type ClaimOutcome = { customerId: string } | { error: DomainError };

/**
 * Decides what to do when writes bring identities other customers hold: for each, the customer
 * the write lands on (after merging holders by the tenant's match rules, recorded with the
 * rule), or the refusal. Without a resolver the customers module refuses every claim.
 */
export type IdentityClaimResolver = (
  tx: Tx,
  contexts: IdentityClaimContext[],
) => Promise<ClaimOutcome[]>;

/**
 * Scrubs a feature's personal data about one customer inside the erasure transaction (privacy
 * request or retention): free text overwritten, rows deleted or detached. Must leave no PII.
 */
export type CustomerEraseHandler = (tx: Tx, customerId: string) => Promise<void>;

/**
 * Lets features that depend on customers contribute to the customer record without the
 * customers module depending on them (no cycles, no forwardRef — STYLE rule 9). Features
 * register in their service's constructor or onModuleInit.
 */
@Injectable()
export class CustomerExtensions {
  private readonly views = new Map<string, CustomerViewLoader>();
  private readonly viewColumnsByKey = new Map<string, CustomerViewColumn>();
  private readonly builtColumns = new Map<string, ViewColumnsSql>();
  private readonly mergeHandlers = new Map<string, CustomerMergeHandler>();
  private readonly eraseHandlers = new Map<string, CustomerEraseHandler>();
  private readonly unmergeHandlers = new Map<string, CustomerUnmergeHandler>();
  private readonly mergeObservers: CustomerMergeObserver[] = [];
  private claimResolver?: IdentityClaimResolver;

  /** `column` (optional) lets a statement reading customer rows carry the block along. */
  registerView(key: string, loader: CustomerViewLoader, column?: CustomerViewColumn): void {
    this.views.set(key, loader);
    if (column) this.viewColumnsByKey.set(key, column);
    else this.viewColumnsByKey.delete(key);
    this.builtColumns.clear();
  }

  /** `undo` (optional) refreshes the feature's caches after an undone merge put rows back. */
  registerMergeHandler(
    feature: string,
    handler: CustomerMergeHandler,
    undo?: CustomerUnmergeHandler,
  ): void {
    this.mergeHandlers.set(feature, handler);
    if (undo) this.unmergeHandlers.set(feature, undo);
  }

  registerMergeObserver(observer: CustomerMergeObserver): void {
    this.mergeObservers.push(observer);
  }

  registerIdentityClaimResolver(resolver: IdentityClaimResolver): void {
    this.claimResolver = resolver;
  }

  get identityClaimResolver(): IdentityClaimResolver | undefined {
    return this.claimResolver;
  }

  async beforeMerge(
    tx: Tx,
    survivorId: string,
    sourceIds: string[],
    context: MergeContext,
  ): Promise<unknown[]> {
    const states: unknown[] = [];
    for (const observer of this.mergeObservers)
      states.push(await observer.beforeMerge(tx, survivorId, sourceIds, context));
    return states;
  }

  async afterMerge(
    tx: Tx,
    survivorId: string,
    sourceIds: string[],
    context: MergeContext,
    states: unknown[],
  ): Promise<void> {
    for (const [i, observer] of this.mergeObservers.entries())
      await observer.afterMerge(tx, survivorId, sourceIds, context, states[i]);
  }

  async runUnmergeHandlers(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    for (const handler of this.unmergeHandlers.values()) await handler(tx, survivorId, sourceIds);
  }

  registerEraseHandler(feature: string, handler: CustomerEraseHandler): void {
    this.eraseHandlers.set(feature, handler);
  }

  /** Features that scrub their own rows on erasure (the privacy module covers the rest). */
  eraseHandlerFeatures(): string[] {
    return [...this.eraseHandlers.keys()];
  }

  async runEraseHandlers(tx: Tx, customerId: string): Promise<void> {
    for (const handler of this.eraseHandlers.values()) await handler(tx, customerId);
  }

  /** customerId → { key: block } for every registered view. */
  async loadViews(tx: Tx, customerIds: string[]): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>(customerIds.map((id) => [id, {}]));
    if (!customerIds.length) return out;
    for (const [key, loader] of this.views) {
      const blocks = await loader(tx, customerIds);
      for (const [id, block] of blocks) {
        const view = out.get(id);
        if (view) view[key] = block;
      }
    }
    return out;
  }

  /**
   * Select-list items (each `, (<sql>) AS "view:<key>"`) for the views with a column form, their
   * parameters numbered from `firstParam`; the rows read with them go to `loadViewsFromColumns`.
   * Built once per alias and numbering (the text stays the same, so it can be a prepared
   * statement). Keys are the registered ones (code, not input): safe as identifiers.
   */
  viewColumns(alias: string, firstParam: number): ViewColumnsSql {
    const memo = `${alias}|${firstParam}`;
    let built = this.builtColumns.get(memo);
    if (!built) {
      const thunks: (() => unknown)[] = [];
      const param = (value: () => unknown) => {
        thunks.push(value);
        return `$${firstParam + thunks.length - 1}`;
      };
      let sql = '';
      for (const [key, column] of this.viewColumnsByKey)
        sql += `, (${column.sql(alias, param)}) AS "view:${key}"`;
      built = { sql, values: () => thunks.map((value) => value()) };
      this.builtColumns.set(memo, built);
    }
    return built;
  }

  /** `loadViews` for rows read with `viewColumns`: views without a column form run their loader. */
  async loadViewsFromColumns(
    tx: Tx,
    rows: ReadonlyArray<{ id: string }>,
  ): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>(rows.map((row) => [row.id, {}]));
    if (!rows.length) return out;
    for (const [key, loader] of this.views) {
      const column = this.viewColumnsByKey.get(key);
      let blocks: Map<string, unknown>;
      if (column) {
        const name = `view:${key}`;
        const values = new Map<string, unknown>();
        for (const row of rows) {
          const value = (row as unknown as Record<string, unknown>)[name];
          if (value !== null && value !== undefined) values.set(row.id, value);
        }
        blocks = await column.toBlocks(tx, values);
      } else {
        blocks = await loader(
          tx,
          rows.map((row) => row.id),
        );
      }
      for (const [id, block] of blocks) {
        const view = out.get(id);
        if (view) view[key] = block;
      }
    }
    return out;
  }

  async runMergeHandlers(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    for (const handler of this.mergeHandlers.values()) await handler(tx, survivorId, sourceIds);
  }
}

@Global()
@Module({ providers: [CustomerExtensions], exports: [CustomerExtensions] })
export class CustomerExtensionsModule {}
