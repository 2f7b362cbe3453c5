import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { PiiCrypto } from '../common/crypto/pii-crypto.service';
import { DomainError } from '../common/errors/domain-error';
import { assertIfMatch, etagFor } from '../common/etag';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { OutboxService } from '../events/outbox.service';
import {
  AttributeDefinitionsRepository,
  toDefinitionLike,
} from './attribute-definitions.repository';
import { canReadPii, restrictedStore } from './customer-access';
import { CustomerAccessService } from './customer-access.service';
import { CustomerIdentityClaimsService } from './customer-identity-claims.service';
import { CustomerIdentityCodec, NormalisedIdentity } from './customer-identity-codec';
import { CustomerProfileBuilder } from './customer-profile-builder';
import { CustomerTenantSettingsService } from './customer-tenant-settings';
import { toIdentityModel } from './customers.mapper';
import { CustomerRow, CustomersRepository } from './customers.repository';
import { CustomerResult, CustomersService } from './customers.service';
import type { IdentityInput, UpdateCustomerInput } from './dto/customer.input';
import type { IdentityModel } from './dto/customer.model';

const FIELD_NAMES: Record<string, string> = {
  name: 'name',
  gender: 'gender',
  birthday: 'birthday',
  phone: 'phone',
  email: 'email',
  address: 'address',
  clothingSize: 'clothingSize',
  shoeSize: 'shoeSize',
  preferredStoreId: 'preferredStoreId',
  storeId: 'storeId',
  registeredBy: 'registeredBy',
  tags: 'tags',
  attributes: 'attributes',
};

/** Changes to an existing record: merge-patch, archive, identities. */
@Injectable()
export class CustomerUpdatesService {
  constructor(
    private readonly db: Database,
    private readonly repository: CustomersRepository,
    private readonly customers: CustomersService,
    private readonly claims: CustomerIdentityClaimsService,
    private readonly access: CustomerAccessService,
    private readonly definitions: AttributeDefinitionsRepository,
    private readonly settings: CustomerTenantSettingsService,
    private readonly builder: CustomerProfileBuilder,
    private readonly codec: CustomerIdentityCodec,
    private readonly crypto: PiiCrypto,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  /**
   * JSON merge patch; `ifMatch` (when given) must name the current version. A phone or e-mail
   * another customer holds goes through the tenant's match rules: a `merge` rule merges the two
   * (the older survives, the merge is recorded with the rule) and the patch applies to the
   * survivor, which is what the answer shows; a `suggest` rule or different phones are 409
   * `identity_conflict` and nothing is written.
   */
  async update(
    principal: Principal,
    id: string,
    input: UpdateCustomerInput,
    ifMatch?: string,
  ): Promise<CustomerResult> {
    return this.db.withTenant(principal.tenantId, (tx) =>
      this.updateWithin(tx, principal, id, input, ifMatch),
    );
  }

  /** The update inside a caller's transaction (a privacy `correction` request applies its patch here). */
  async updateWithin(
    tx: Tx,
    principal: Principal,
    id: string,
    input: UpdateCustomerInput,
    ifMatch?: string,
  ): Promise<CustomerResult> {
    let row = await this.lockActive(tx, principal, id);
    assertIfMatch(ifMatch, etagFor(row.id, row.version));
    if (
      restrictedStore(principal) !== undefined &&
      input.storeId !== undefined &&
      input.storeId !== row.store_id
    ) {
      throw new DomainError('forbidden', 'Store staff cannot move a customer to another store.');
    }
    const settings = await this.settings.get(tx);
    const definitions = (await this.definitions.list(tx)).map(toDefinitionLike);
    let change = this.builder.apply(input, row, settings, definitions);
    if (change.errors.length) throw DomainError.validation(change.errors);
    const now = this.clock.now();

    const brought = [
      this.primary('phone', row.phone_bidx, change.phone),
      this.primary('email', row.email_bidx, change.email),
    ].filter((i): i is NormalisedIdentity => i !== undefined);
    if (brought.length) {
      // The ids the patch replaces leave first, so a merge does not carry them to the survivor.
      await this.releasePrimary(tx, row.id, 'phone', row.phone_bidx, change.phone);
      await this.releasePrimary(tx, row.id, 'email', row.email_bidx, change.email);
    }
    const landedOn = brought.length
      ? await this.claims.claimIdentities(tx, principal, brought, {
          write: 'update',
          customerId: row.id,
          phoneBidx: change.phone === undefined ? undefined : (change.columns.phone_bidx ?? null),
          replacesPhone: change.phone !== undefined,
        })
      : undefined;
    if (landedOn) {
      // The match rules merged this customer with the holder: the patch applies to the survivor.
      row = (await this.repository.findById(tx, landedOn, true))!;
      change = this.builder.apply(input, row, settings, definitions);
      if (change.errors.length) throw DomainError.validation(change.errors);
    }

    await this.replacePrimaryIdentity(tx, row, 'phone', row.phone_bidx, change.phone, now);
    await this.replacePrimaryIdentity(tx, row, 'email', row.email_bidx, change.email, now);

    const updated = await this.repository.update(
      tx,
      row.id,
      { ...change.columns, confirmed_at: now },
      now,
    );
    const fields = Object.keys(input).filter(
      (k) => input[k as keyof UpdateCustomerInput] !== undefined && FIELD_NAMES[k],
    );
    await this.outbox.record(tx, {
      type: 'customer.updated',
      customerId: row.id,
      subjectType: 'customer',
      subjectId: row.id,
      payload: {
        customerId: row.id,
        fields,
        version: updated!.version,
        ...(landedOn ? { via: 'identity_match' } : {}),
      },
    });
    return this.customers.result(tx, principal, updated!);
  }

  /** Archives (soft-deletes) the record and frees its identities for someone else. */
  async archive(principal: Principal, id: string): Promise<void> {
    await this.db.withTenant(principal.tenantId, async (tx) => {
      const target = await this.access.requireVisible(tx, principal, id);
      if (target.status === 'archived') return;
      if (target.status !== 'active')
        throw new DomainError('invalid_transition', `Customer is ${target.status}.`);
      const now = this.clock.now();
      await this.repository.deleteAllIdentities(tx, target.id);
      await this.repository.setStatus(tx, [target.id], 'archived', now);
      await this.outbox.record(tx, {
        type: 'customer.archived',
        customerId: target.id,
        subjectType: 'customer',
        subjectId: target.id,
        payload: { customerId: target.id },
      });
    });
  }

  async listIdentities(principal: Principal, id: string): Promise<IdentityModel[]> {
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const target = await this.access.requireVisible(tx, principal, id);
      const rows = await this.repository.listIdentities(tx, [target.id]);
      return rows.map((row) => toIdentityModel(row, this.crypto, canReadPii(principal)));
    });
  }

  /** Adds an identity; 409 `identity_conflict` when another customer holds it. */
  async addIdentity(
    principal: Principal,
    id: string,
    input: IdentityInput,
  ): Promise<{ identity: IdentityModel; created: boolean }> {
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const row = await this.lockActive(tx, principal, id);
      const settings = await this.settings.get(tx);
      const identity = this.codec.normalise(input, settings.region, 'identity');
      const holder = await this.repository.findIdentityHolder(
        tx,
        identity.type,
        identity.namespace,
        identity.bidx,
      );
      const unmasked = canReadPii(principal);
      if (holder?.customer_id === row.id) {
        return {
          identity: toIdentityModel(
            (await this.repository.findIdentity(tx, row.id, holder.id))!,
            this.crypto,
            unmasked,
          ),
          created: false,
        };
      }
      const landedOn = await this.claims.claimIdentities(tx, principal, [identity], {
        write: 'identity',
        customerId: row.id,
        phoneBidx: identity.type === 'phone' ? identity.bidx : null,
      });
      if (landedOn) {
        // The match rules merged this customer and the holder: the identity is on the survivor.
        const moved = (await this.repository.findIdentityHolder(
          tx,
          identity.type,
          identity.namespace,
          identity.bidx,
        ))!;
        return {
          identity: toIdentityModel(
            (await this.repository.findIdentity(tx, moved.customer_id, moved.id))!,
            this.crypto,
            unmasked,
          ),
          created: false,
        };
      }
      const now = this.clock.now();
      const inserted = await this.claims.attachIdentity(tx, row.id, identity, now);
      await this.repository.update(tx, row.id, {}, now);
      await this.outbox.record(tx, {
        type: 'identity.added',
        customerId: row.id,
        subjectType: 'customer',
        subjectId: row.id,
        payload: {
          customerId: row.id,
          identityId: inserted.id,
          type: identity.type,
          namespace: identity.namespace,
        },
      });
      return { identity: toIdentityModel(inserted, this.crypto, unmasked), created: true };
    });
  }

  /** Removes a secondary identity; the profile's own phone, e-mail and member number change through PATCH. */
  async removeIdentity(principal: Principal, id: string, identityId: string): Promise<void> {
    await this.db.withTenant(principal.tenantId, async (tx) => {
      const row = await this.lockActive(tx, principal, id);
      const identity = /^[0-9a-f-]{36}$/i.test(identityId)
        ? await this.repository.findIdentity(tx, row.id, identityId)
        : undefined;
      if (!identity) throw DomainError.notFound('Identity');
      const primary =
        (identity.type === 'phone' && identity.value_bidx === row.phone_bidx) ||
        (identity.type === 'email' && identity.value_bidx === row.email_bidx) ||
        (identity.type === 'member_no' &&
          identity.value_bidx === this.codec.bidx('member_no', row.member_no));
      if (primary) {
        throw new DomainError(
          'conflict',
          `This is the profile's own ${identity.type}; change or clear it with PATCH /v1/customers/${row.id}.`,
        );
      }
      await this.repository.deleteIdentities(tx, [identity.id]);
      await this.repository.update(tx, row.id, {}, this.clock.now());
    });
  }

  private async lockActive(tx: Tx, principal: Principal, id: string): Promise<CustomerRow> {
    const target = await this.access.requireVisible(tx, principal, id);
    const row = (await this.repository.findById(tx, target.id, true))!;
    if (row.status !== 'active')
      throw new DomainError(
        'invalid_transition',
        `Customer is ${row.status}; only active customers change.`,
      );
    return row;
  }

  /** The phone / e-mail identity a patch brings when it changes the field (undefined otherwise). */
  private primary(
    type: 'phone' | 'email',
    oldBidx: string | null,
    value: string | null | undefined,
  ): NormalisedIdentity | undefined {
    if (value === undefined || value === null) return undefined;
    const bidx = this.codec.bidx(type, value);
    return bidx === oldBidx ? undefined : { type, namespace: '', value, bidx };
  }

  /** Drops the customer's own phone / e-mail identity row when a patch changes that field. */
  private async releasePrimary(
    tx: Tx,
    customerId: string,
    type: 'phone' | 'email',
    oldBidx: string | null,
    value: string | null | undefined,
  ): Promise<void> {
    if (value === undefined || !oldBidx) return;
    if (value !== null && this.codec.bidx(type, value) === oldBidx) return;
    const old = await this.repository.findIdentityHolder(tx, type, '', oldBidx);
    if (old?.customer_id === customerId) await this.repository.deleteIdentities(tx, [old.id]);
  }

  /** Keeps the phone / e-mail identity row in step with the profile field. */
  private async replacePrimaryIdentity(
    tx: Tx,
    row: CustomerRow,
    type: 'phone' | 'email',
    oldBidx: string | null,
    value: string | null | undefined,
    now: Date,
  ): Promise<void> {
    if (value === undefined) return;
    const bidx = value === null ? null : this.codec.bidx(type, value);
    if (bidx === oldBidx) return;
    await this.releasePrimary(tx, row.id, type, oldBidx, value);
    if (value === null || bidx === null) return;
    const identity: NormalisedIdentity = { type, namespace: '', value, bidx };
    const holder = await this.repository.findIdentityHolder(tx, type, '', bidx);
    if (holder?.customer_id === row.id) return;
    await this.claims.assertIdentitiesFree(tx, [identity], row.id);
    await this.claims.attachIdentity(tx, row.id, identity, now);
  }
}
