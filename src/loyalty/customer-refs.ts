import { Injectable } from '@nestjs/common';
import { CustomersService } from '../customers/customers.service';
import type { Tx } from '../database/tx';

export interface CustomerRef {
  id?: string;
  phone?: string;
  memberNo?: string;
  identity?: string;
}

export interface ResolvedCustomer {
  id: string;
  status: string;
}

/**
 * Finds the customer a POS or e-shop names, following merges to the survivor. Single look-ups
 * go through the customers feature; the batch path resolves plain ids in one query.
 */
@Injectable()
export class CustomerRefs {
  constructor(private readonly customers: CustomersService) {}

  async resolve(tx: Tx, ref: CustomerRef): Promise<ResolvedCustomer | undefined> {
    return this.customers.resolveRef(tx, ref);
  }

  /**
   * id → the customer it resolves to now (itself, or the survivor of a merge), for a whole
   * batch in one query; reads only id, status and merged_into of the customer rows.
   */
  async resolveIds(tx: Tx, ids: string[]): Promise<Map<string, ResolvedCustomer>> {
    const out = new Map<string, ResolvedCustomer>();
    if (!ids.length) return out;
    const rows = await tx.query<{
      id: string;
      status: string;
      final_id: string;
      final_status: string;
    }>(
      `WITH RECURSIVE chain AS (
         SELECT id AS start_id, id, status, merged_into, 0 AS depth FROM customers WHERE tenant_id = $1 AND id = ANY($2::uuid[])
         UNION ALL
         SELECT chain.start_id, c.id, c.status, c.merged_into, chain.depth + 1
           FROM chain JOIN customers c ON c.tenant_id = $1 AND c.id = chain.merged_into
          WHERE chain.status = 'merged' AND chain.depth < 10
       )
       SELECT DISTINCT ON (start_id) start_id AS id, id AS final_id, status AS final_status FROM chain ORDER BY start_id, depth DESC`,
      [tx.tenant, [...new Set(ids)]],
    );
    for (const row of rows) out.set(row.id, { id: row.final_id, status: row.final_status });
    return out;
  }
}
