import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { isUuid } from '../common/uuid7';
import type { Tx } from '../database/tx';
import { canSee } from './customer-access';
import { CustomersRepository } from './customers.repository';

/**
 * Resolves a customer id for a write or a sub-resource read: follows merges (later writes to
 * a merged id land on the survivor) and hides customers of other stores from store staff.
 */
@Injectable()
export class CustomerAccessService {
  constructor(private readonly repository: CustomersRepository) {}

  async requireVisible(
    tx: Tx,
    principal: Principal,
    id: string,
  ): Promise<{ id: string; status: string; storeId: string | null }> {
    let current = isUuid(id) ? await this.repository.findStatus(tx, id) : undefined;
    for (let hops = 0; current?.status === 'merged' && current.merged_into && hops < 5; hops++) {
      current = await this.repository.findStatus(tx, current.merged_into);
    }
    if (!current || !canSee(principal, current.store_id)) throw DomainError.notFound('Customer');
    return { id: current.id, status: current.status, storeId: current.store_id };
  }
}
