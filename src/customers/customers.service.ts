import { blankProfileColumns } from './customer-blank-profile';
import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { PiiCrypto } from '../common/crypto/pii-crypto.service';
import { DomainError } from '../common/errors/domain-error';
import { etagFor } from '../common/etag';
import { isUuid, uuid7 } from '../common/uuid7';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { OutboxService } from '../events/outbox.service';
import {
  AttributeDefinitionsRepository,
  toDefinitionLike,
} from './attribute-definitions.repository';
import { canReadPii, canSee, restrictedStore } from './customer-access';
import { CustomerExtensions } from './customer-extensions';
import { CustomerIdentityClaimsService } from './customer-identity-claims.service';
import { CustomerIdentityCodec, NormalisedIdentity } from './customer-identity-codec';
import { buildMemberNo, normaliseMemberNo } from './customer-normalisation';
import { CustomerProfileBuilder } from './customer-profile-builder';
import { CustomerTenantSettingsService } from './customer-tenant-settings';
import { toCustomerModel } from './customers.mapper';
import { CustomerDisplayRow, CustomersRepository } from './customers.repository';
import type { CreateCustomerInput } from './dto/customer.input';
import type { CustomerModel } from './dto/customer.model';

/**
 * How other features point at a customer: by id, or by one or more identities (phone, e-mail,
 * member number, `identity` / `identities` as `type:value` or `type:namespace:value`).
 */
export interface CustomerRef {
  id?: string;
  phone?: string;
  email?: string;
  memberNo?: string;
  identity?: string;
  identities?: string[];
}

export interface LookupQuery {
  phone?: string;
  email?: string;
  memberNo?: string;
  identity?: string;
  /** `views`: add the blocks other features register (stats, rfm, consents); costs a query each. */
  include?: string;
}

export interface CustomerResult {
  customer: CustomerModel;
  etag: string;
}

export type CustomerReadResult = CustomerResult | { redirectTo: string };

/** The customer record's use cases: register, read, look up, resolve references. */
@Injectable()
export class CustomersService {
  constructor(
    private readonly db: Database,
    private readonly repository: CustomersRepository,
    private readonly definitions: AttributeDefinitionsRepository,
    private readonly settings: CustomerTenantSettingsService,
    private readonly builder: CustomerProfileBuilder,
    private readonly codec: CustomerIdentityCodec,
    private readonly crypto: PiiCrypto,
    private readonly extensions: CustomerExtensions,
    private readonly claims: CustomerIdentityClaimsService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async create(principal: Principal, input: CreateCustomerInput): Promise<CustomerResult> {
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const settings = await this.settings.get(tx);
      const definitions = (await this.definitions.list(tx)).map(toDefinitionLike);
      const now = this.clock.now();
      const store = restrictedStore(principal);
      // Store staff register into their own store; the token decides, not the body.
      if (store !== undefined) input.storeId = store;
      if (principal.kind === 'staff' && input.registeredBy === undefined)
        input.registeredBy = principal.subject;

      const change = this.builder.apply(input, undefined, settings, definitions);
      const identities: NormalisedIdentity[] = [];
      if (change.phone)
        identities.push({
          type: 'phone',
          namespace: '',
          value: change.phone,
          bidx: this.codec.bidx('phone', change.phone),
        });
      if (change.email)
        identities.push({
          type: 'email',
          namespace: '',
          value: change.email,
          bidx: this.codec.bidx('email', change.email),
        });
      (input.identities ?? []).forEach((identity, i) => {
        try {
          identities.push(this.codec.normalise(identity, settings.region, `identities[${i}]`));
        } catch (error) {
          if (!(error instanceof DomainError) || !error.options.errors) throw error;
          change.errors.push(...error.options.errors);
        }
      });
      if (change.errors.length) throw DomainError.validation(change.errors);

      const memberNo = input.memberNo
        ? normaliseMemberNo(input.memberNo)
        : await this.generateMemberNo(tx, settings.memberNoPrefix);
      identities.push({
        type: 'member_no',
        namespace: '',
        value: memberNo,
        bidx: this.codec.bidx('member_no', memberNo),
      });
      const unique = dedupeIdentities(identities);
      const landOn = await this.claims.claimIdentities(tx, principal, unique, {
        write: 'create',
        phoneBidx: change.columns.phone_bidx ?? null,
      });
      if (landOn) {
        // The tenant's match rules put this registration on an existing customer (guest → member).
        const own = input.memberNo ? unique : unique.filter((i) => i.type !== 'member_no');
        const survivor = await this.claims.landRegistration(tx, landOn, change.columns, own, now);
        return this.result(tx, principal, survivor);
      }

      const id = uuid7(now.getTime());
      const row = await this.repository.insert(
        tx,
        id,
        {
          member_no: memberNo,
          ...blankProfileColumns(),
          completeness: 0,
          confirmed_at: now,
          ...change.columns,
        },
        now,
      );
      for (const identity of unique) await this.claims.attachIdentity(tx, id, identity, now);
      await this.outbox.record(tx, {
        type: 'customer.created',
        customerId: id,
        subjectType: 'customer',
        subjectId: id,
        payload: {
          customerId: id,
          memberNo,
          storeId: row.store_id,
          registeredBy: row.registered_by,
        },
      });
      return this.result(tx, principal, row);
    });
  }

  async get(principal: Principal, id: string): Promise<CustomerReadResult> {
    if (!isUuid(id)) throw DomainError.notFound('Customer');
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const row = await this.repository.findById(tx, id);
      if (!row || !canSee(principal, row.store_id)) throw DomainError.notFound('Customer');
      if (row.status === 'merged' && row.merged_into) return { redirectTo: row.merged_into };
      return this.result(tx, principal, row);
    });
  }

  /** GraphQL form of `get`: a merged id answers the survivor instead of redirecting. */
  async getFollowingMerge(principal: Principal, id: string): Promise<CustomerResult> {
    const first = await this.get(principal, id);
    return 'redirectTo' in first
      ? (this.get(principal, first.redirectTo) as Promise<CustomerResult>)
      : first;
  }

  /** POS look-up: one identity, one indexed join, profile with tier and points (other blocks on request). */
  async lookup(principal: Principal, query: LookupQuery): Promise<CustomerResult> {
    const given = (['phone', 'email', 'memberNo', 'identity'] as const).filter(
      (k) => query[k] !== undefined && query[k] !== '',
    );
    if (given.length !== 1) {
      throw DomainError.field(
        'phone',
        'required',
        'Give exactly one of phone, email, memberNo or identity.',
      );
    }
    // Without views this is one statement, so it runs on a tenant-bound read connection (no
    // BEGIN/COMMIT round trips): the till waits on it. Views read several tables: one snapshot.
    const withViews = query.include === 'views';
    const run = withViews ? this.db.withTenant.bind(this.db) : this.db.readTenant.bind(this.db);
    return run(principal.tenantId, async (tx) => {
      const settings = await this.settings.get(tx);
      const identity = this.refIdentity(query, settings.region);
      const row = await this.repository.findByIdentity(
        tx,
        identity.type,
        identity.namespace,
        identity.bidx,
      );
      if (!row || row.status !== 'active' || !canSee(principal, row.store_id))
        throw DomainError.notFound('Customer');
      // The POS path stays one indexed read: profile, tier and points live on the row.
      return this.result(tx, principal, row, withViews);
    });
  }

  /**
   * For other features (transactions, loyalty): finds the customer a reference points to,
   * following merges to the survivor. Undefined when nothing matches. A reference by several
   * identities held by different customers goes through the match rules on behalf of `actor`
   * (merged into one, or 409 `identity_conflict`).
   */
  async resolveRef(
    tx: Tx,
    ref: CustomerRef,
    actor?: Principal,
  ): Promise<{ id: string; status: string } | undefined> {
    if (ref.id) {
      if (!isUuid(ref.id)) return undefined;
      return this.follow(tx, ref.id);
    }
    const settings = await this.settings.get(tx);
    let identities: NormalisedIdentity[];
    try {
      identities = this.refIdentities(ref, settings.region);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'validation_failed') return undefined;
      throw error;
    }
    if (identities.length > 1 && actor) return this.claims.resolveIdentities(tx, actor, identities);
    const identity = identities[0];
    if (!identity) return undefined;
    const holder = await this.repository.findIdentityHolder(
      tx,
      identity.type,
      identity.namespace,
      identity.bidx,
    );
    return holder ? this.follow(tx, holder.customer_id) : undefined;
  }

  /** The customer (the survivor, for a merged id) or 404 `not_found`. */
  async requireCustomer(tx: Tx, id: string): Promise<{ id: string; status: string }> {
    const found = isUuid(id) ? await this.follow(tx, id) : undefined;
    if (!found) throw DomainError.notFound('Customer');
    return found;
  }

  /** Maps rows to API models with the blocks other features register (stats, rfm, consents). */
  async toModels(
    tx: Tx,
    principal: Principal,
    rows: CustomerDisplayRow[],
    withViews = true,
  ): Promise<CustomerModel[]> {
    const blocks = withViews
      ? await this.extensions.loadViews(
          tx,
          rows.map((r) => r.id),
        )
      : new Map<string, Record<string, unknown>>();
    return this.mapRows(principal, rows, blocks);
  }

  /** `toModels` for rows read with `extensions.viewColumns`: the blocks came with the rows. */
  async toModelsWithViewColumns(
    tx: Tx,
    principal: Principal,
    rows: CustomerDisplayRow[],
  ): Promise<CustomerModel[]> {
    return this.mapRows(principal, rows, await this.extensions.loadViewsFromColumns(tx, rows));
  }

  private mapRows(
    principal: Principal,
    rows: CustomerDisplayRow[],
    blocks: Map<string, Record<string, unknown>>,
  ): CustomerModel[] {
    const unmasked = canReadPii(principal);
    return rows.map((row) => toCustomerModel(row, this.crypto, unmasked, blocks.get(row.id) ?? {}));
  }

  async result(
    tx: Tx,
    principal: Principal,
    row: CustomerDisplayRow,
    withViews = true,
  ): Promise<CustomerResult> {
    const [customer] = await this.toModels(tx, principal, [row], withViews);
    return { customer, etag: etagFor(row.id, row.version) };
  }

  private refIdentity(query: LookupQuery, region: string): NormalisedIdentity {
    if (query.phone !== undefined)
      return this.codec.normalise({ type: 'phone', value: query.phone }, region, 'phone');
    if (query.email !== undefined)
      return this.codec.normalise({ type: 'email', value: query.email }, region, 'email');
    if (query.memberNo !== undefined)
      return this.codec.normalise({ type: 'member_no', value: query.memberNo }, region, 'memberNo');
    if (query.identity !== undefined) return this.codec.parse(query.identity, region, 'identity');
    throw DomainError.field('phone', 'required', 'Give one of phone, email, memberNo or identity.');
  }

  private refIdentities(ref: CustomerRef, region: string): NormalisedIdentity[] {
    const out: NormalisedIdentity[] = [];
    for (const key of ['phone', 'email', 'memberNo', 'identity'] as const)
      if (ref[key] !== undefined && ref[key] !== null)
        out.push(this.refIdentity({ [key]: ref[key] }, region));
    (ref.identities ?? []).forEach((identity, i) =>
      out.push(this.codec.parse(identity, region, `identities[${i}]`)),
    );
    return out;
  }

  private async follow(tx: Tx, id: string): Promise<{ id: string; status: string } | undefined> {
    let current = await this.repository.findStatus(tx, id);
    for (let hops = 0; current?.status === 'merged' && current.merged_into && hops < 5; hops++) {
      current = await this.repository.findStatus(tx, current.merged_into);
    }
    return current ? { id: current.id, status: current.status } : undefined;
  }

  private async generateMemberNo(tx: Tx, prefix: string): Promise<string> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const digits = String(randomInt(100_000_000, 1_000_000_000));
      const memberNo = buildMemberNo(prefix, digits);
      if (!(await this.repository.memberNoTaken(tx, memberNo))) return memberNo;
    }
    throw new DomainError('conflict', 'Could not allocate a member number; retry.');
  }
}

function dedupeIdentities(identities: NormalisedIdentity[]): NormalisedIdentity[] {
  const seen = new Map<string, NormalisedIdentity>();
  for (const identity of identities)
    seen.set(`${identity.type}|${identity.namespace}|${identity.bidx}`, identity);
  return [...seen.values()];
}
