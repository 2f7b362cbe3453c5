import { Injectable } from '@nestjs/common';
import type { Keyset } from '../common/pagination';
import type { Tx } from '../database/tx';
import type { ViewColumnsSql } from './customer-extensions';
import { CUSTOMER_DISPLAY_COLUMNS_C, CustomerDisplayRow } from './customers.repository';

export interface SearchCriteria {
  /** Lower-cased substring for the name (trigram index); undefined to skip. */
  nameLike?: string;
  /** Lower-case ASCII prefix for full pinyin and initials. */
  pinyinPrefix?: string;
  phoneTailBidx?: string;
  phoneBidx?: string;
  emailBidx?: string;
  memberNo?: string;
  tag?: string;
  tier?: string;
  storeId?: string;
  /** Store staff: only this store (null: none). */
  restrictedStore?: string | null;
  registeredBy?: string;
  createdFrom?: string;
  createdTo?: string;
  status: string;
}

export interface DuplicateRow {
  a: string;
  b: string;
  reason: string;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A search hit's id and keyset key. */
export interface SearchKey {
  id: string;
  created_at: Date;
}

/** Staff search and duplicate detection: hand-written SQL, all parameterised. */
@Injectable()
export class CustomersSearchRepository {
  /** Page statement text by view-columns text (one entry in practice). */
  private readonly pageSql = new Map<string, string>();

  /**
   * The page's ids (and keys), newest first: from `customer_search` (an owner view with the
   * tenant predicate of the RLS policy, see migration 1763864000000), where the LIKE / trigram /
   * containment predicates can use their indexes and statistics — under RLS they cannot, being
   * not LEAKPROOF. Its shape varies with the criteria and its plan with the values (a custom
   * plan, cheap: it reads one small view); `page` then reads the rows under RLS.
   */
  async searchKeys(
    tx: Tx,
    criteria: SearchCriteria,
    after: Keyset | undefined,
    limit: number,
  ): Promise<SearchKey[]> {
    const params: unknown[] = [tx.tenant, criteria.status];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = ['s.tenant_id = $1', 's.status = $2'];
    // Each arm of the OR has its own index, so PostgreSQL can answer with a BitmapOr (or walk
    // the created_at index when the arms match many rows).
    const any: string[] = [];
    if (criteria.nameLike !== undefined) {
      const pattern = p(`%${escapeLike(criteria.nameLike)}%`);
      // Latin text (≥ 3 letters) has trigrams; Chinese names are searched by one or two
      // characters, which have none: the characters' GIN index narrows, LIKE decides.
      any.push(
        /[^\p{ASCII}]/u.test(criteria.nameLike)
          ? `(string_to_array(lower(s.name), NULL) @> ${p([...new Set(criteria.nameLike)])}::text[] AND lower(s.name) LIKE ${pattern})`
          : `lower(s.name) LIKE ${pattern}`,
      );
    }
    if (criteria.pinyinPrefix !== undefined) {
      const prefix = p(`${escapeLike(criteria.pinyinPrefix)}%`);
      any.push(`s.name_pinyin LIKE ${prefix}`, `s.name_initials LIKE ${prefix}`);
    }
    if (criteria.phoneTailBidx !== undefined)
      any.push(`s.phone_tail_bidx = ${p(criteria.phoneTailBidx)}`);
    if (criteria.phoneBidx !== undefined) any.push(`s.phone_bidx = ${p(criteria.phoneBidx)}`);
    if (criteria.emailBidx !== undefined) any.push(`s.email_bidx = ${p(criteria.emailBidx)}`);
    if (criteria.memberNo !== undefined) any.push(`s.member_no = ${p(criteria.memberNo)}`);
    if (any.length) where.push(`(${any.join(' OR ')})`);
    if (criteria.tag !== undefined) where.push(`s.tags @> ARRAY[${p(criteria.tag)}]::text[]`);
    if (criteria.tier !== undefined) where.push(`s.tier_code = ${p(criteria.tier)}`);
    if (criteria.storeId !== undefined) where.push(`s.store_id = ${p(criteria.storeId)}`);
    if (criteria.restrictedStore !== undefined)
      where.push(`s.store_id IS NOT DISTINCT FROM ${p(criteria.restrictedStore)}`);
    if (criteria.registeredBy !== undefined)
      where.push(`s.registered_by = ${p(criteria.registeredBy)}`);
    if (criteria.createdFrom !== undefined)
      where.push(`s.created_at >= ${p(criteria.createdFrom)}::timestamptz`);
    if (criteria.createdTo !== undefined)
      where.push(`s.created_at < ${p(criteria.createdTo)}::timestamptz`);
    if (after)
      where.push(
        `(s.created_at, s.id) < (${p(after.createdAt)}::timestamptz, ${p(after.id)}::uuid)`,
      );
    return tx.query<SearchKey>(
      `SELECT s.id, s.created_at FROM customer_search s
        WHERE ${where.join(' AND ')}
        ORDER BY s.created_at DESC, s.id DESC
        LIMIT ${p(limit)}`,
      params,
    );
  }

  /**
   * The rows of these ids, newest first, read from `customers` under RLS (the second wall still
   * guards every value returned): only the columns the API model shows, and the view blocks
   * (`viewColumns` over `c`, parameters from $3) in the same statement. The text is fixed, so
   * it is a prepared statement whose plan PostgreSQL keeps — planning the view subqueries
   * cost more than running them.
   */
  async page(
    tx: Tx,
    ids: string[],
    viewColumns: (alias: string, firstParam: number) => ViewColumnsSql,
  ): Promise<CustomerDisplayRow[]> {
    const views = viewColumns('c', 3);
    let sql = this.pageSql.get(views.sql);
    if (sql === undefined) {
      sql = `SELECT ${CUSTOMER_DISPLAY_COLUMNS_C}${views.sql} FROM customers c
              WHERE c.tenant_id = $1 AND c.id = ANY($2::uuid[])
              ORDER BY c.created_at DESC, c.id DESC`;
      this.pageSql.set(views.sql, sql);
    }
    return tx.prepared<CustomerDisplayRow>(sql, [tx.tenant, ids, ...views.values()]);
  }

  /** Candidate pairs (older id first) with one row per reason. */
  async duplicates(tx: Tx, limit: number): Promise<DuplicateRow[]> {
    return tx.query<DuplicateRow>(
      `WITH active AS (
         SELECT id, created_at, phone_bidx, email_bidx, phone_tail_bidx, name, name_pinyin, birth_year, birth_month, birth_day
           FROM customers WHERE tenant_id = $1 AND status = 'active'
       ), pairs AS (
         SELECT a.id AS a, b.id AS b, 'same_phone' AS reason FROM active a JOIN active b ON a.phone_bidx = b.phone_bidx AND a.id < b.id
         UNION ALL
         SELECT a.id, b.id, 'same_email' FROM active a JOIN active b ON a.email_bidx = b.email_bidx AND a.id < b.id
         UNION ALL
         SELECT a.id, b.id, 'same_name_birthday' FROM active a JOIN active b
             ON a.name = b.name AND a.birth_month = b.birth_month AND a.birth_day = b.birth_day
            AND a.birth_year IS NOT DISTINCT FROM b.birth_year AND a.id < b.id
         UNION ALL
         SELECT a.id, b.id, 'same_pinyin_phone_tail' FROM active a JOIN active b
             ON a.name_pinyin = b.name_pinyin AND a.phone_tail_bidx = b.phone_tail_bidx AND a.id < b.id
       ), top AS (
         SELECT a, b FROM pairs GROUP BY a, b ORDER BY count(*) DESC, a, b LIMIT $2
       )
       SELECT p.a, p.b, p.reason FROM pairs p JOIN top USING (a, b)`,
      [tx.tenant, limit],
    );
  }
}
