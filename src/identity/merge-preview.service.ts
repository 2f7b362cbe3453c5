import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Database } from '../database/database.service';
import { CustomerMergeService } from '../customers/customer-merge.service';
import { CustomersRepository } from '../customers/customers.repository';
import { CustomersService } from '../customers/customers.service';
import type { CustomerModel } from '../customers/dto/customer.model';
import { DomainError } from '../common/errors/domain-error';
import { restrictedStore } from '../customers/customer-access';
import { MergePreviewInput } from './dto/merge.dto';
import { MergeFieldOutcomeModel, MergePreviewModel } from './dto/merge-preview.model';

/** View fields that are bookkeeping, not a person's data: never listed as per-field outcomes. */
const NOT_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'memberNo',
  'status',
  'mergedInto',
  'version',
  'createdAt',
  'updatedAt',
  'archivedAt',
  'completeness',
  'confirmedAt',
  'consents',
  'tier',
  'points',
  'stats',
  'rfm',
  'loyalty',
]);

const json = (value: unknown) => JSON.stringify(value ?? null);
const empty = (value: unknown) =>
  value === null ||
  value === undefined ||
  value === 'unknown' ||
  (Array.isArray(value) && !value.length) ||
  (typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !Object.keys(value).length);

/**
 * Shows what a merge would do without keeping anything: the real merge (profile rules, every
 * feature's merge handler: consent, loyalty, …) runs inside a savepoint that is rolled back,
 * so the preview can never disagree with the merge itself.
 */
@Injectable()
export class MergePreviewService {
  constructor(
    private readonly db: Database,
    private readonly merging: CustomerMergeService,
    private readonly customers: CustomersService,
    private readonly repository: CustomersRepository,
  ) {}

  async preview(principal: Principal, input: MergePreviewInput): Promise<MergePreviewModel> {
    if (restrictedStore(principal) !== undefined)
      throw new DomainError('forbidden', 'Only managers and admins merge customers.');
    const errors = input.sourceIds.flatMap((id, i) =>
      id === input.survivorId
        ? [
            {
              field: `sourceIds[${i}]`,
              code: 'same_as_target',
              message: 'A customer cannot be merged into itself.',
            },
          ]
        : input.sourceIds.indexOf(id) !== i
          ? [{ field: `sourceIds[${i}]`, code: 'duplicate', message: 'Listed twice.' }]
          : [],
    );
    if (errors.length) throw DomainError.validation(errors);
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const rows = await this.repository.findByIds(tx, [input.survivorId, ...input.sourceIds]);
      const models = new Map(
        (await this.customers.toModels(tx, principal, rows)).map((m) => [m.id, m]),
      );
      const identities = await this.repository.listIdentities(tx, input.sourceIds);
      await tx.query('SAVEPOINT merge_preview');
      let result: CustomerModel;
      try {
        result = (
          await this.merging.mergeWithin(
            tx,
            { principal, reason: 'preview', rule: null },
            input.survivorId,
            input.sourceIds,
          )
        ).customer;
      } finally {
        await tx.query('ROLLBACK TO SAVEPOINT merge_preview');
      }
      const ordered = [input.survivorId, ...input.sourceIds].map((id) => models.get(id)!);
      return {
        result,
        fields: fieldOutcomes(ordered, result),
        consents: (result as unknown as Record<string, unknown>).consents ?? null,
        loyalty: { tier: result.tier?.code ?? null, points: result.points },
        movingIdentities: identities.map((i) =>
          i.namespace ? `${i.type} (${i.namespace})` : i.type,
        ),
      };
    });
  }
}

/** Per view field: the records' values, whether they disagree and which one the merged record kept. */
export function fieldOutcomes(
  records: CustomerModel[],
  result: CustomerModel,
): MergeFieldOutcomeModel[] {
  const keys = new Set(records.flatMap((r) => Object.keys(r)).filter((k) => !NOT_FIELDS.has(k)));
  const out: MergeFieldOutcomeModel[] = [];
  for (const field of keys) {
    const values = records.map((r) => ({
      customerId: r.id,
      value: (r as unknown as Record<string, unknown>)[field] ?? null,
    }));
    const merged = (result as unknown as Record<string, unknown>)[field] ?? null;
    const distinct = new Set(values.filter((v) => !empty(v.value)).map((v) => json(v.value)));
    if (!distinct.size && empty(merged)) continue;
    const winner = values.find((v) => !empty(v.value) && json(v.value) === json(merged));
    out.push({
      field,
      winner: winner?.customerId ?? null,
      conflict: distinct.size > 1,
      values,
      result: merged,
    });
  }
  return out;
}
