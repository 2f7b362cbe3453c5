import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { decodeCursor, DEFAULT_LIMIT, Page, toPage } from '../common/pagination';
import { Database } from '../database/database.service';
import { restrictedStore } from './customer-access';
import { CustomerExtensions } from './customer-extensions';
import { CustomerIdentityCodec } from './customer-identity-codec';
import { normaliseEmail, normaliseMemberNo, normalisePhone } from './customer-normalisation';
import { CustomerTenantSettingsService } from './customer-tenant-settings';
import { CustomersSearchRepository, SearchCriteria } from './customers-search.repository';
import { CustomersService } from './customers.service';
import type { CustomerModel } from './dto/customer.model';
import type { CustomerSearchQuery, DuplicatePairModel } from './dto/search.dto';

/** How much each reason alone says two records are one person. */
export const DUPLICATE_REASON_SCORES: Record<string, number> = {
  same_phone: 0.9,
  same_email: 0.8,
  same_name_birthday: 0.7,
  same_pinyin_phone_tail: 0.6,
};

/** Reasons combine as independent evidence: 1 − Π(1 − s). */
export function duplicateScore(reasons: string[]): number {
  const miss = reasons.reduce(
    (product, reason) => product * (1 - (DUPLICATE_REASON_SCORES[reason] ?? 0)),
    1,
  );
  return Math.round((1 - miss) * 1000) / 1000;
}

/** Works out which indexed conditions a free-text `q` can mean. */
export function interpretQuery(
  q: string,
  region: string,
): {
  nameLike?: string;
  pinyinPrefix?: string;
  phoneTail?: string;
  phone?: string;
  email?: string;
  memberNo?: string;
} {
  const text = q.trim();
  const out: ReturnType<typeof interpretQuery> = {};
  if (!text) return out;
  const compact = text.replace(/[\s-]/g, '');
  if (/^\d{4}$/.test(compact)) out.phoneTail = compact;
  if (/^\+?\d{7,}$/.test(compact)) out.phone = normalisePhone(text, region);
  if (text.includes('@')) out.email = normaliseEmail(text);
  if (/^[A-Za-z0-9-]{4,32}$/.test(text)) out.memberNo = normaliseMemberNo(text);
  if (/^[A-Za-z\s]+$/.test(text)) out.pinyinPrefix = text.toLowerCase().replace(/\s+/g, '');
  // Substring of the name: always for Chinese text, and for Latin text long enough for trigrams.
  if (!/^[\d\s+-]+$/.test(text) && (/[^\p{ASCII}]/u.test(text) || text.length >= 3))
    out.nameLike = text.toLowerCase();
  return out;
}

@Injectable()
export class CustomersSearchService {
  constructor(
    private readonly db: Database,
    private readonly repository: CustomersSearchRepository,
    private readonly customers: CustomersService,
    private readonly settings: CustomerTenantSettingsService,
    private readonly codec: CustomerIdentityCodec,
    private readonly extensions: CustomerExtensions,
  ) {}

  async search(principal: Principal, query: CustomerSearchQuery): Promise<Page<CustomerModel>> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const after = decodeCursor(query.cursor);
    // A read-only, tenant-bound connection without BEGIN/COMMIT (two round trips fewer): the
    // ids, order and cursor come from one statement, the rows with their view blocks (stats,
    // rfm, consents) from the next, one snapshot each — a row may be a moment newer than the
    // search that found it, which a list can live with; the record's own GET reads everything
    // in one transaction.
    return this.db.readTenant(principal.tenantId, async (tx) => {
      const criteria: SearchCriteria = {
        tag: query.tag,
        tier: query.tier,
        storeId: query.storeId,
        restrictedStore: restrictedStore(principal),
        registeredBy: query.registeredBy,
        createdFrom: query.createdFrom,
        createdTo: query.createdTo,
        status: query.status ?? 'active',
      };
      if (query.q !== undefined && query.q.trim()) {
        const meaning = interpretQuery(query.q, (await this.settings.get(tx)).region);
        criteria.nameLike = meaning.nameLike;
        criteria.pinyinPrefix = meaning.pinyinPrefix;
        criteria.memberNo = meaning.memberNo;
        if (meaning.phoneTail) criteria.phoneTailBidx = this.codec.phoneTailBidx(meaning.phoneTail);
        if (meaning.phone) criteria.phoneBidx = this.codec.bidx('phone', meaning.phone);
        if (meaning.email) criteria.emailBidx = this.codec.bidx('email', meaning.email);
        // Nothing the query could match: an empty page, not the whole tenant.
        if (Object.values(meaning).every((v) => v === undefined))
          return { items: [], nextCursor: null };
      }
      const keys = await this.repository.searchKeys(tx, criteria, after, limit + 1);
      const page = toPage(keys, limit, (key) => key.id);
      // The rows with their view blocks (stats, rfm, consents): one more statement, none for an
      // empty page.
      const rows = page.items.length
        ? await this.repository.page(tx, page.items, (alias, firstParam) =>
            this.extensions.viewColumns(alias, firstParam),
          )
        : [];
      const models = await this.customers.toModelsWithViewColumns(tx, principal, rows);
      return { items: models, nextCursor: page.nextCursor };
    });
  }

  async duplicates(principal: Principal, limit = DEFAULT_LIMIT): Promise<Page<DuplicatePairModel>> {
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const rows = await this.repository.duplicates(tx, limit);
      const pairs = new Map<string, DuplicatePairModel>();
      for (const row of rows) {
        const key = `${row.a}|${row.b}`;
        const pair = pairs.get(key) ?? {
          customerId: row.a,
          duplicateId: row.b,
          reasons: [],
          score: 0,
        };
        if (!pair.reasons.includes(row.reason)) pair.reasons.push(row.reason);
        pairs.set(key, pair);
      }
      const items = [...pairs.values()].map((p) => ({ ...p, score: duplicateScore(p.reasons) }));
      items.sort((x, y) => y.score - x.score || x.customerId.localeCompare(y.customerId));
      return { items, nextCursor: null };
    });
  }
}
