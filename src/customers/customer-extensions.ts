import { Global, Injectable, Module } from '@nestjs/common';
import type { Tx } from '../database/tx';

/** Adds a block to the customer view, e.g. `stats` (transactions) or `rfm` (segments). */
export type CustomerViewLoader = (tx: Tx, customerIds: string[]) => Promise<Map<string, unknown>>;

/** Moves a feature's rows from merged source customers to the survivor, inside the merge transaction. */
export type CustomerMergeHandler = (tx: Tx, survivorId: string, sourceIds: string[]) => Promise<void>;

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
  private readonly mergeHandlers = new Map<string, CustomerMergeHandler>();
  private readonly eraseHandlers = new Map<string, CustomerEraseHandler>();

  registerView(key: string, loader: CustomerViewLoader): void {
    this.views.set(key, loader);
  }

  registerMergeHandler(feature: string, handler: CustomerMergeHandler): void {
    this.mergeHandlers.set(feature, handler);
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

  async runMergeHandlers(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    for (const handler of this.mergeHandlers.values()) await handler(tx, survivorId, sourceIds);
  }
}

@Global()
@Module({ providers: [CustomerExtensions], exports: [CustomerExtensions] })
export class CustomerExtensionsModule {}
