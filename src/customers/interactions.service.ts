import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { decodeCursor, Page, PageQuery, pageLimit, toPage } from '../common/pagination';
import { uuid7 } from '../common/uuid7';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { CustomerAccessService } from './customer-access.service';
import type { InteractionModel, LogInteractionInput } from './dto/follow-up.dto';
import { toInteractionModel } from './follow-ups.mapper';
import { InteractionsRepository } from './interactions.repository';

export interface NewInteraction {
  customerId: string;
  type: string;
  summary: string;
  outcome?: string | null;
  staffId?: string | null;
  followUpId?: string | null;
  occurredAt?: Date;
}

/** The contact log per customer (calls, messages, visits, notes). */
@Injectable()
export class InteractionsService {
  constructor(
    private readonly db: Database,
    private readonly repository: InteractionsRepository,
    private readonly access: CustomerAccessService,
    private readonly clock: Clock,
  ) {}

  /** Inside a caller's transaction; the customer must already be resolved (survivor id). */
  async record(tx: Tx, interaction: NewInteraction): Promise<InteractionModel> {
    const now = this.clock.now();
    const row = await this.repository.insert(
      tx,
      {
        id: uuid7(now.getTime()),
        customer_id: interaction.customerId,
        type: interaction.type,
        summary: interaction.summary,
        outcome: interaction.outcome ?? null,
        staff_id: interaction.staffId ?? null,
        follow_up_id: interaction.followUpId ?? null,
        occurred_at: interaction.occurredAt ?? now,
      },
      now,
    );
    return toInteractionModel(row);
  }

  async log(
    principal: Principal,
    customerId: string,
    input: LogInteractionInput,
  ): Promise<InteractionModel> {
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const customer = await this.access.requireVisible(tx, principal, customerId);
      if (customer.status !== 'active')
        throw new DomainError('invalid_transition', `Customer is ${customer.status}.`);
      return this.record(tx, {
        customerId: customer.id,
        type: input.type,
        summary: input.summary,
        outcome: input.outcome,
        staffId: input.staffId ?? (principal.kind === 'staff' ? principal.subject : null),
        occurredAt: input.occurredAt ? new Date(input.occurredAt) : undefined,
      });
    });
  }

  async list(
    principal: Principal,
    customerId: string,
    query: PageQuery,
  ): Promise<Page<InteractionModel>> {
    const after = decodeCursor(query.cursor);
    const limit = pageLimit(query);
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const customer = await this.access.requireVisible(tx, principal, customerId);
      const rows = await this.repository.list(tx, customer.id, after, limit);
      return toPage(rows, limit, toInteractionModel);
    });
  }
}
