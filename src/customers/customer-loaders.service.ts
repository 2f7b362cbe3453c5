import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { Principal } from '../auth/principal';
import { PiiCrypto } from '../common/crypto/pii-crypto.service';
import { Database } from '../database/database.service';
import { canReadPii } from './customer-access';
import { toIdentityModel } from './customers.mapper';
import { CustomersRepository } from './customers.repository';
import type { IdentityModel } from './dto/customer.model';
import type { FollowUpModel, InteractionModel } from './dto/follow-up.dto';
import { toFollowUpModel, toInteractionModel } from './follow-ups.mapper';
import { FollowUpsRepository } from './follow-ups.repository';
import { InteractionsRepository } from './interactions.repository';

export interface CustomerLoaders {
  identities: DataLoader<string, IdentityModel[]>;
  openFollowUps: DataLoader<string, FollowUpModel[]>;
  recentInteractions: DataLoader<string, InteractionModel[]>;
}

function groupBy<T>(ids: readonly string[], rows: T[], key: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const row of rows) groups.get(key(row))?.push(row);
  return ids.map((id) => groups.get(id) ?? []);
}

/**
 * Per-request DataLoaders for nested GraphQL fields: a page of 50 customers costs one query per
 * nested field, not one per customer. Loaders live as long as the request object.
 */
@Injectable()
export class CustomerLoadersService {
  private readonly perRequest = new WeakMap<object, CustomerLoaders>();

  constructor(
    private readonly db: Database,
    private readonly customers: CustomersRepository,
    private readonly followUps: FollowUpsRepository,
    private readonly interactions: InteractionsRepository,
    private readonly crypto: PiiCrypto,
  ) {}

  forRequest(request: object, principal: Principal): CustomerLoaders {
    let loaders = this.perRequest.get(request);
    if (!loaders) {
      loaders = this.create(principal);
      this.perRequest.set(request, loaders);
    }
    return loaders;
  }

  private create(principal: Principal): CustomerLoaders {
    const unmasked = canReadPii(principal);
    const run = <T>(
      work: (tx: Parameters<Parameters<Database['withTenant']>[1]>[0]) => Promise<T>,
    ) => this.db.withTenant(principal.tenantId, work);
    return {
      identities: new DataLoader(async (ids) => {
        const rows = await run((tx) => this.customers.listIdentities(tx, [...ids]));
        return groupBy(ids, rows, (r) => r.customer_id).map((group) =>
          group.map((r) => toIdentityModel(r, this.crypto, unmasked)),
        );
      }),
      openFollowUps: new DataLoader(async (ids) => {
        const rows = await run((tx) => this.followUps.listOpenFor(tx, [...ids]));
        return groupBy(ids, rows, (r) => r.customer_id).map((group) => group.map(toFollowUpModel));
      }),
      recentInteractions: new DataLoader(async (ids) => {
        const rows = await run((tx) => this.interactions.recentFor(tx, [...ids], 5));
        return groupBy(ids, rows, (r) => r.customer_id).map((group) =>
          group.map(toInteractionModel),
        );
      }),
    };
  }
}
