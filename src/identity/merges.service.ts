import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { decodeCursor, PageQuery, pageLimit, toPage } from '../common/pagination';
import { isUuid, uuid7 } from '../common/uuid7';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { OutboxService } from '../events/outbox.service';
import { restrictedStore } from '../customers/customer-access';
import { CustomerExtensions, MergeContext } from '../customers/customer-extensions';
import { CustomersService } from '../customers/customers.service';
import { AuditService } from '../privacy/audit/audit.service';
import { MergeModel, MergePageModel } from './dto/merge.dto';
import { MergeSnapshot, MergeSnapshotRepository } from './merge-snapshot.repository';
import { MergeRow, MergesRepository } from './merges.repository';

export function toMergeModel(row: MergeRow, restoredFields?: string[]): MergeModel {
  return {
    id: row.id,
    survivorId: row.survivor_id,
    sourceIds: row.source_ids,
    status: row.status,
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    reason: row.reason,
    rule: row.rule,
    createdAt: row.created_at.toISOString(),
    undoneAt: row.undone_at?.toISOString() ?? null,
    ...(restoredFields ? { restoredFields } : {}),
  };
}

/**
 * Records every merge (manual or by a match rule) with a snapshot of what it moved, lists
 * them, and undoes one: sources come back with their own rows; what happened to the survivor
 * after the merge stays on the survivor (README "Undoing a merge").
 */
@Injectable()
export class MergesService implements OnModuleInit {
  constructor(
    private readonly db: Database,
    private readonly extensions: CustomerExtensions,
    private readonly customers: CustomersService,
    private readonly snapshots: MergeSnapshotRepository,
    private readonly repository: MergesRepository,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.extensions.registerMergeObserver({
      beforeMerge: (tx, survivorId, sourceIds) => this.snapshots.capture(tx, survivorId, sourceIds),
      afterMerge: (tx, survivorId, sourceIds, context, state) =>
        this.record(tx, survivorId, sourceIds, context, state as MergeSnapshot),
    });
    this.extensions.registerEraseHandler('identity', (tx, customerId) =>
      this.repository.forgetCustomer(tx, customerId),
    );
  }

  async list(principal: Principal, customerId: string, query: PageQuery): Promise<MergePageModel> {
    const limit = pageLimit(query);
    const after = decodeCursor(query.cursor);
    return this.db.withTenant(principal.tenantId, async (tx) => {
      // 404 for unknown ids and for customers outside a store user's store (via the survivor).
      if (!isUuid(customerId)) throw DomainError.notFound('Customer');
      await this.customers.requireCustomer(tx, customerId);
      const rows = await this.repository.listFor(tx, customerId, limit, after);
      return toPage(rows, limit, (row) => toMergeModel(row));
    });
  }

  async undo(principal: Principal, mergeId: string): Promise<MergeModel> {
    if (restrictedStore(principal) !== undefined)
      throw new DomainError('forbidden', 'Only managers and admins undo merges.');
    if (!isUuid(mergeId)) throw DomainError.notFound('Merge');
    const result = await this.db.withTenant(principal.tenantId, async (tx) => {
      return this.undoWithin(tx, principal, mergeId);
    });
    this.audit.recordFor(principal, {
      action: 'customer.unmerge',
      resource: `merge:${mergeId}`,
      customerIds: [result.survivorId, ...result.sourceIds],
      fields: result.restoredFields ?? [],
    });
    return result;
  }

  private async undoWithin(tx: Tx, principal: Principal, mergeId: string): Promise<MergeModel> {
    const merge = await this.repository.lock(tx, mergeId);
    if (!merge) throw DomainError.notFound('Merge');
    if (merge.status === 'undone') {
      throw new DomainError(
        'invalid_transition',
        `Merge ${merge.id} was already undone at ${merge.undone_at?.toISOString()}.`,
        { extensions: { reason: 'merge_already_undone', mergeStatus: merge.status } },
      );
    }
    if (merge.status === 'erased' || !merge.snapshot) {
      throw new DomainError(
        'conflict',
        'A customer in this merge was erased; the merge cannot be undone.',
        { extensions: { reason: 'customer_erased', mergeStatus: merge.status } },
      );
    }
    await this.assertUndoable(tx, merge);
    const now = this.clock.now();
    await this.snapshots.restoreSources(tx, merge.snapshot, now);
    await this.snapshots.restoreRows(tx, merge.survivor_id, merge.snapshot);
    const restoredFields = await this.snapshots.restoreSurvivorFields(
      tx,
      merge.survivor_id,
      merge.snapshot,
      now,
    );
    await this.extensions.runUnmergeHandlers(tx, merge.survivor_id, merge.source_ids);
    const undone = await this.repository.markUndone(tx, merge.id, principal.subject, now);
    await this.outbox.record(tx, {
      type: 'customer.unmerged',
      customerId: merge.survivor_id,
      subjectType: 'customer',
      subjectId: merge.survivor_id,
      payload: { mergeId: merge.id, survivorId: merge.survivor_id, sourceIds: merge.source_ids },
    });
    return toMergeModel(undone, restoredFields);
  }

  private async record(
    tx: Tx,
    survivorId: string,
    sourceIds: string[],
    context: MergeContext,
    captured: MergeSnapshot,
  ): Promise<void> {
    const snapshot = await this.snapshots.classify(tx, survivorId, captured);
    const now = this.clock.now();
    await this.repository.insert(
      tx,
      {
        id: uuid7(now.getTime()),
        survivor_id: survivorId,
        source_ids: sourceIds,
        actor_kind: context.principal.kind,
        actor_id: context.principal.subject,
        reason: context.reason ?? null,
        rule: context.rule ?? null,
        created_at: now,
      },
      snapshot,
    );
  }

  /** The sources must still be this merge's tombstones, the survivor not merged on, nobody erased. */
  private async assertUndoable(tx: Tx, merge: MergeRow): Promise<void> {
    const rows = await tx.query<{ id: string; status: string; merged_into: string | null }>(
      `SELECT id, status, merged_into FROM customers WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [tx.tenant, [merge.survivor_id, ...merge.source_ids]],
    );
    const erased = rows.find((r) => r.status === 'erased');
    if (erased || rows.length !== merge.source_ids.length + 1) {
      throw new DomainError(
        'conflict',
        `Customer ${erased?.id ?? ''} in this merge was erased; the merge cannot be undone.`.replace(
          '  ',
          ' ',
        ),
        {
          extensions: { reason: 'customer_erased', customerId: erased?.id ?? null },
        },
      );
    }
    const survivor = rows.find((r) => r.id === merge.survivor_id)!;
    if (survivor.status === 'merged') {
      const later = await this.repository.laterMergeOf(tx, survivor.id);
      throw new DomainError(
        'conflict',
        `The survivor was merged into ${survivor.merged_into} afterwards; undo that merge first.`,
        {
          extensions: {
            reason: 'survivor_merged',
            mergedInto: survivor.merged_into,
            laterMergeId: later ?? null,
          },
        },
      );
    }
    const stray = rows.find(
      (r) => r.id !== survivor.id && (r.status !== 'merged' || r.merged_into !== survivor.id),
    );
    if (stray) {
      throw new DomainError(
        'conflict',
        `Customer ${stray.id} is no longer a tombstone of this merge.`,
        { extensions: { reason: 'source_changed', customerId: stray.id } },
      );
    }
  }
}
