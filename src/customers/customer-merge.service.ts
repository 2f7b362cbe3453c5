import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { isUuid } from '../common/uuid7';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { OutboxService } from '../events/outbox.service';
import {
  AttributeDefinitionsRepository,
  toDefinitionLike,
} from './attribute-definitions.repository';
import { restrictedStore } from './customer-access';
import { CustomerExtensions, MergeContext } from './customer-extensions';
import { CustomerProfileBuilder } from './customer-profile-builder';
import { CustomerTenantSettingsService } from './customer-tenant-settings';
import { CustomerRow, CustomersRepository, CustomerWritable } from './customers.repository';
import { CustomerResult, CustomersService } from './customers.service';
import { FollowUpsRepository } from './follow-ups.repository';
import { InteractionsRepository } from './interactions.repository';

/** Columns that travel together when a blank on the survivor is filled from a source. */
const FILL_GROUPS: (keyof CustomerWritable)[][] = [
  ['name', 'name_pinyin', 'name_initials'],
  ['birth_year', 'birth_month', 'birth_day', 'birthday_enc'],
  ['phone_enc', 'phone_bidx', 'phone_tail_bidx'],
  ['email_enc', 'email_bidx'],
  ['address_enc', 'province', 'city', 'district', 'postcode'],
  ['clothing_size'],
  ['shoe_size'],
  ['preferred_store_id'],
  ['store_id'],
  ['registered_by'],
];

/**
 * Survivor wins, blanks are filled from the sources in the order given, tags are united and
 * attributes merge with the survivor's values on top.
 */
export function mergeProfiles(
  survivor: CustomerRow,
  sources: CustomerRow[],
): Partial<CustomerWritable> {
  const out: Partial<CustomerWritable> = {};
  for (const group of FILL_GROUPS) {
    if (survivor[group[0]] !== null) continue;
    const donor = sources.find((s) => s[group[0]] !== null);
    if (donor) for (const column of group) (out as Record<string, unknown>)[column] = donor[column];
  }
  if (survivor.gender === 'unknown') {
    const donor = sources.find((s) => s.gender !== 'unknown');
    if (donor) out.gender = donor.gender;
  }
  out.tags = [...new Set([...survivor.tags, ...sources.flatMap((s) => s.tags)])];
  out.attributes = Object.assign(
    {},
    ...[...sources].reverse().map((s) => s.attributes),
    survivor.attributes,
  );
  const confirmed = [survivor, ...sources].map((r) => r.confirmed_at?.getTime() ?? 0);
  out.confirmed_at = Math.max(...confirmed)
    ? new Date(Math.max(...confirmed))
    : survivor.confirmed_at;
  return out;
}

/** Merges duplicate records into one survivor, in one transaction. */
@Injectable()
export class CustomerMergeService {
  constructor(
    private readonly db: Database,
    private readonly repository: CustomersRepository,
    private readonly customers: CustomersService,
    private readonly definitions: AttributeDefinitionsRepository,
    private readonly settings: CustomerTenantSettingsService,
    private readonly builder: CustomerProfileBuilder,
    private readonly interactions: InteractionsRepository,
    private readonly followUps: FollowUpsRepository,
    private readonly extensions: CustomerExtensions,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async merge(
    principal: Principal,
    targetId: string,
    sourceIds: string[],
    reason?: string | null,
  ): Promise<CustomerResult> {
    if (restrictedStore(principal) !== undefined)
      throw new DomainError('forbidden', 'Only managers and admins merge customers.');
    const errors: FieldError[] = [];
    sourceIds.forEach((id, i) => {
      if (id === targetId)
        errors.push({
          field: `sourceIds[${i}]`,
          code: 'same_as_target',
          message: 'A customer cannot be merged into itself.',
        });
      else if (sourceIds.indexOf(id) !== i)
        errors.push({ field: `sourceIds[${i}]`, code: 'duplicate', message: 'Listed twice.' });
    });
    if (errors.length) throw DomainError.validation(errors);
    if (!isUuid(targetId)) throw DomainError.notFound('Customer');

    return this.db.withTenant(principal.tenantId, (tx) =>
      this.mergeWithin(tx, { principal, reason: reason ?? null, rule: null }, targetId, sourceIds),
    );
  }

  /**
   * The merge inside a caller's transaction (the identity module's automatic merges use it):
   * no role check here; the caller decided the merge is allowed.
   */
  async mergeWithin(
    tx: Tx,
    context: MergeContext,
    targetId: string,
    sourceIds: string[],
  ): Promise<CustomerResult> {
    const principal = context.principal;
    const errors: FieldError[] = [];
    const rows = await this.lockAll(tx, [targetId, ...sourceIds]);
    const survivor = rows.get(targetId);
    if (!survivor) throw DomainError.notFound('Customer');
    if (survivor.status !== 'active') {
      throw new DomainError(
        'conflict',
        `The merge target is ${survivor.status}${survivor.merged_into ? ` into ${survivor.merged_into}` : ''}; merge into an active customer.`,
        {
          extensions: { targetStatus: survivor.status, mergedInto: survivor.merged_into },
        },
      );
    }
    const sources: CustomerRow[] = [];
    sourceIds.forEach((id, i) => {
      const row = rows.get(id);
      // Another tenant's id is invisible under row-level security: it reads as unknown.
      if (!row)
        errors.push({
          field: `sourceIds[${i}]`,
          code: 'not_found',
          message: `Customer ${id} was not found.`,
        });
      else if (row.status !== 'active')
        errors.push({
          field: `sourceIds[${i}]`,
          code: 'not_active',
          message: `Customer ${id} is ${row.status}.`,
        });
      else sources.push(row);
    });
    if (errors.length) throw DomainError.validation(errors);

    const now = this.clock.now();
    const observed = await this.extensions.beforeMerge(tx, survivor.id, sourceIds, context);
    await this.moveOwnRows(tx, survivor.id, sourceIds);
    await this.extensions.runMergeHandlers(tx, survivor.id, sourceIds);
    await this.repository.setStatus(tx, sourceIds, 'merged', now, survivor.id);
    await this.repository.repointTombstones(tx, sourceIds, survivor.id);

    const merged = mergeProfiles(survivor, sources);
    const definitions = (await this.definitions.list(tx)).map(toDefinitionLike);
    const { columns } = this.builder.apply(
      {},
      { ...survivor, ...merged },
      await this.settings.get(tx),
      definitions,
    );
    const updated = await this.repository.update(
      tx,
      survivor.id,
      { ...merged, completeness: columns.completeness },
      now,
    );
    await this.outbox.record(tx, {
      type: 'customer.merged',
      customerId: survivor.id,
      subjectType: 'customer',
      subjectId: survivor.id,
      payload: { survivorId: survivor.id, sourceIds },
    });
    await this.extensions.afterMerge(tx, survivor.id, sourceIds, context, observed);
    // Re-read: merge handlers (loyalty) may have refreshed the cached tier and points.
    return this.customers.result(tx, principal, (await this.repository.findById(tx, updated!.id))!);
  }

  /** Locks in id order so two merges touching the same records cannot deadlock. */
  private async lockAll(tx: Tx, ids: string[]): Promise<Map<string, CustomerRow>> {
    const rows = await this.repository.findByIdsForUpdate(tx, ids);
    return new Map(rows.map((r) => [r.id, r]));
  }

  private async moveOwnRows(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    await this.repository.moveIdentities(tx, survivorId, sourceIds);
    await this.interactions.moveToSurvivor(tx, survivorId, sourceIds);
    await this.followUps.moveToSurvivor(tx, survivorId, sourceIds);
  }
}
