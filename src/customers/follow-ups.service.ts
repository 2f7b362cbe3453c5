import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { DEFAULT_LIMIT, Page } from '../common/pagination';
import { isUuid, uuid7 } from '../common/uuid7';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { restrictedStore } from './customer-access';
import { CustomerAccessService } from './customer-access.service';
import { CustomersService } from './customers.service';
import type {
  CompleteFollowUpInput,
  CreateFollowUpInput,
  FollowUpModel,
  FollowUpQuery,
} from './dto/follow-up.dto';
import { toFollowUpModel } from './follow-ups.mapper';
import { FollowUpsRepository } from './follow-ups.repository';
import { InteractionsService } from './interactions.service';

export interface NewFollowUp {
  customerId: string;
  reason: string;
  dueAt: Date | string;
  assignee?: string | null;
  /** Who asked for it: `manual`, `feedback`, `rule:profile_stale`, ... */
  source?: string;
  /** Idempotency for automatic creators: a second create with the same key is a no-op. */
  sourceKey?: string;
}

function encodeDueCursor(row: { due_at: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.due_at.toISOString(), row.id])).toString('base64url');
}

function decodeDueCursor(cursor: string | undefined): { dueAt: string; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [dueAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      string,
      string,
    ];
    if (Number.isNaN(Date.parse(dueAt)) || !isUuid(id)) throw new Error();
    return { dueAt, id };
  } catch {
    throw DomainError.field('cursor', 'invalid_cursor', 'cursor is not one this API issued.');
  }
}

/** Follow-up visits (回访): due date, reason, assignee; completing one logs an interaction. */
@Injectable()
export class FollowUpsService {
  constructor(
    private readonly db: Database,
    private readonly repository: FollowUpsRepository,
    private readonly customers: CustomersService,
    private readonly interactions: InteractionsService,
    private readonly access: CustomerAccessService,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates a follow-up inside the caller's transaction (used by feedback and the rules).
   * Follows merges; 404 for an unknown customer. Returns the id, or undefined when `sourceKey`
   * was already used.
   */
  async create(tx: Tx, followUp: NewFollowUp): Promise<string | undefined> {
    const customer = await this.customers.requireCustomer(tx, followUp.customerId);
    const now = this.clock.now();
    const row = await this.repository.insert(
      tx,
      {
        id: uuid7(now.getTime()),
        customer_id: customer.id,
        reason: followUp.reason,
        due_at: new Date(followUp.dueAt),
        assignee: followUp.assignee ?? null,
        source: followUp.source ?? 'manual',
        source_key: followUp.sourceKey ?? null,
      },
      now,
    );
    return row?.id;
  }

  /** Marks an open follow-up done and logs the contact as an interaction, in the caller's transaction. */
  async complete(
    tx: Tx,
    completion: { id: string; outcome: string; by: string; type?: string },
  ): Promise<FollowUpModel> {
    const followUp = isUuid(completion.id)
      ? await this.repository.find(tx, completion.id, true)
      : undefined;
    if (!followUp) throw DomainError.notFound('Follow-up');
    if (followUp.status !== 'open')
      throw new DomainError('invalid_transition', `The follow-up is already ${followUp.status}.`);
    const row = await this.repository.complete(
      tx,
      followUp.id,
      completion.outcome,
      completion.by,
      this.clock.now(),
    );
    await this.interactions.record(tx, {
      customerId: followUp.customer_id,
      type: completion.type ?? 'call',
      summary: `Follow-up: ${followUp.reason}`,
      outcome: completion.outcome,
      staffId: completion.by,
      followUpId: followUp.id,
    });
    return toFollowUpModel(row);
  }

  async createForCustomer(
    principal: Principal,
    customerId: string,
    input: CreateFollowUpInput,
  ): Promise<FollowUpModel> {
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const customer = await this.access.requireVisible(tx, principal, customerId);
      if (customer.status !== 'active')
        throw new DomainError('invalid_transition', `Customer is ${customer.status}.`);
      const id = await this.create(tx, {
        customerId: customer.id,
        reason: input.reason,
        dueAt: input.dueAt,
        assignee: input.assignee,
        source: 'manual',
      });
      return toFollowUpModel((await this.repository.find(tx, id!))!);
    });
  }

  async completeFromApi(
    principal: Principal,
    id: string,
    input: CompleteFollowUpInput,
  ): Promise<FollowUpModel> {
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const followUp = isUuid(id) ? await this.repository.find(tx, id) : undefined;
      if (!followUp) throw DomainError.notFound('Follow-up');
      await this.access.requireVisible(tx, principal, followUp.customer_id);
      return this.complete(tx, {
        id,
        outcome: input.outcome,
        by: principal.subject,
        type: input.type,
      });
    });
  }

  async list(
    principal: Principal,
    query: FollowUpQuery & { customerId?: string },
  ): Promise<Page<FollowUpModel>> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const after = decodeDueCursor(query.cursor);
    return this.db.withTenant(principal.tenantId, async (tx) => {
      let customerId: string | undefined;
      if (query.customerId !== undefined)
        customerId = (await this.access.requireVisible(tx, principal, query.customerId)).id;
      const rows = await this.repository.list(
        tx,
        {
          assignee: query.assignee,
          status: query.status,
          dueBefore: query.dueBefore,
          customerId,
          storeId: restrictedStore(principal),
        },
        after,
        limit,
      );
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      return {
        items: page.map(toFollowUpModel),
        nextCursor: more ? encodeDueCursor(page[page.length - 1]) : null,
      };
    });
  }
}
