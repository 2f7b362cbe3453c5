import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { PiiCrypto } from '../common/crypto/pii-crypto.service';
import { DomainError } from '../common/errors/domain-error';
import { uuid7 } from '../common/uuid7';
import type { Tx } from '../database/tx';
import { OutboxService } from '../events/outbox.service';
import {
  AttributeDefinitionsRepository,
  toDefinitionLike,
} from './attribute-definitions.repository';
import {
  ClaimOutcome,
  CustomerExtensions,
  IdentityClaim,
  IdentityClaimContext,
} from './customer-extensions';
import type { NormalisedIdentity } from './customer-identity-codec';
import { CustomerProfileBuilder } from './customer-profile-builder';
import { CustomerTenantSettingsService } from './customer-tenant-settings';
import { CustomerRow, CustomersRepository, CustomerWritable } from './customers.repository';

export type ClaimRequest = Omit<IdentityClaimContext, 'principal' | 'claims'>;

/**
 * The one door every write goes through when it brings identities other customers hold:
 * create, update (PATCH / updateCustomer), identity add, transaction ingest and import. It
 * finds the holders and hands them to the claim resolver (the identity module's tenant match
 * rules), which merges by a `merge` rule, or answers 409 `identity_conflict` (a `suggest` rule,
 * different phones, an inactive holder). Without a resolver every claim is a 409.
 */
@Injectable()
export class CustomerIdentityClaimsService {
  constructor(
    private readonly repository: CustomersRepository,
    private readonly definitions: AttributeDefinitionsRepository,
    private readonly settings: CustomerTenantSettingsService,
    private readonly builder: CustomerProfileBuilder,
    private readonly extensions: CustomerExtensions,
    private readonly crypto: PiiCrypto,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * Identities of a write that other customers hold. The write may land on an existing customer
   * (merged by the match rules), whose id is returned; undefined when nobody else holds them.
   */
  async claimIdentities(
    tx: Tx,
    principal: Principal,
    identities: NormalisedIdentity[],
    context: ClaimRequest,
  ): Promise<string | undefined> {
    const claims = await this.claimsOf(tx, identities, context.customerId);
    if (!claims.length) return undefined;
    const [outcome] = await this.resolveClaims(tx, principal, [{ ...context, claims }]);
    if ('error' in outcome) throw outcome.error;
    return outcome.customerId;
  }

  /**
   * Several writes whose claims the caller found itself (an import batch: holders come from one
   * set-based look-up). Rules load once and holders lock in one statement; merges run only for
   * the writes that need them. A refusal is that write's outcome, not a throw.
   */
  async resolveClaims(
    tx: Tx,
    principal: Principal,
    contexts: Omit<IdentityClaimContext, 'principal'>[],
  ): Promise<ClaimOutcome[]> {
    const resolver = this.extensions.identityClaimResolver;
    if (resolver)
      return resolver(
        tx,
        contexts.map((c) => ({ ...c, principal })),
      );
    return contexts.map((c) => ({ error: conflict(c.claims[0]) }));
  }

  /**
   * A reference by several identities (a sale's `customer: { phone, email }`): the customer
   * they name. One holder → that customer; several → the match rules decide (merged, recorded
   * with the rule, or 409 `identity_conflict`); none → undefined. Ids nobody holds are not added.
   */
  async resolveIdentities(
    tx: Tx,
    principal: Principal,
    identities: NormalisedIdentity[],
  ): Promise<{ id: string; status: string } | undefined> {
    const claims = await this.claimsOf(tx, identities);
    const holders = [...new Set(claims.map((c) => c.holderId))];
    const phone = identities.find((i) => i.type === 'phone');
    let id = holders[0];
    if (holders.length > 1) {
      const [outcome] = await this.resolveClaims(tx, principal, [
        { write: 'ingest', phoneBidx: phone?.bidx ?? null, claims },
      ]);
      if ('error' in outcome) throw outcome.error;
      id = outcome.customerId;
    }
    if (!id) return undefined;
    const found = await this.repository.findStatus(tx, id);
    return found ? { id: found.id, status: found.status } : undefined;
  }

  /** Refuses identities another customer already holds (409 naming the holder). */
  async assertIdentitiesFree(
    tx: Tx,
    identities: NormalisedIdentity[],
    ownerId?: string,
  ): Promise<void> {
    const [claim] = await this.claimsOf(tx, identities, ownerId);
    if (claim) throw conflict(claim);
  }

  async attachIdentity(tx: Tx, customerId: string, identity: NormalisedIdentity, now: Date) {
    return this.repository.insertIdentity(
      tx,
      {
        id: uuid7(now.getTime()),
        customer_id: customerId,
        type: identity.type,
        namespace: identity.namespace,
        value_enc: this.crypto.encrypt(identity.value),
        value_bidx: identity.bidx,
        verified: identity.verified === true,
      },
      now,
    );
  }

  /** Fills the survivor's blanks from a registration the match rules put on it and attaches its new identities. */
  async landRegistration(
    tx: Tx,
    survivorId: string,
    columns: Partial<CustomerWritable>,
    identities: NormalisedIdentity[],
    now: Date,
  ): Promise<CustomerRow> {
    const row = (await this.repository.findById(tx, survivorId, true))!;
    const fill: Partial<CustomerWritable> = {};
    for (const [column, value] of Object.entries(columns) as [keyof CustomerWritable, unknown][]) {
      const current = row[column];
      if (value === null || value === undefined || column === 'completeness') continue;
      if (column === 'tags') fill.tags = [...new Set([...row.tags, ...(value as string[])])];
      else if (column === 'attributes')
        fill.attributes = { ...(value as Record<string, unknown>), ...row.attributes };
      else if (current === null || (column === 'gender' && current === 'unknown'))
        (fill as Record<string, unknown>)[column] = value;
    }
    for (const identity of identities) {
      if (!(await this.holderOf(tx, identity)))
        await this.attachIdentity(tx, survivorId, identity, now);
    }
    const settings = await this.settings.get(tx);
    const definitions = (await this.definitions.list(tx)).map(toDefinitionLike);
    const { columns: computed } = this.builder.apply(
      {},
      { ...row, ...fill },
      settings,
      definitions,
    );
    const updated = await this.repository.update(
      tx,
      survivorId,
      { ...fill, completeness: computed.completeness ?? row.completeness },
      now,
    );
    await this.outbox.record(tx, {
      type: 'customer.updated',
      customerId: survivorId,
      subjectType: 'customer',
      subjectId: survivorId,
      payload: {
        customerId: survivorId,
        fields: Object.keys(fill),
        version: updated!.version,
        via: 'identity_match',
      },
    });
    return updated!;
  }

  private holderOf(tx: Tx, identity: NormalisedIdentity) {
    return this.repository.findIdentityHolder(tx, identity.type, identity.namespace, identity.bidx);
  }

  /** The identities someone other than `ownerId` holds, with their holder. */
  private async claimsOf(
    tx: Tx,
    identities: NormalisedIdentity[],
    ownerId?: string,
  ): Promise<(IdentityClaim & { memberNo: string })[]> {
    const claims: (IdentityClaim & { memberNo: string })[] = [];
    for (const identity of identities) {
      const holder = await this.holderOf(tx, identity);
      if (holder && holder.customer_id !== ownerId)
        claims.push({
          type: identity.type,
          namespace: identity.namespace,
          bidx: identity.bidx,
          verified: identity.verified === true,
          holderId: holder.customer_id,
          memberNo: holder.member_no,
        });
    }
    return claims;
  }
}

function conflict(claim: IdentityClaim & { memberNo?: string }): DomainError {
  return new DomainError(
    'identity_conflict',
    `This ${claim.type} already belongs to customer ${claim.holderId}.`,
    {
      extensions: {
        holder: { id: claim.holderId, memberNo: claim.memberNo ?? null },
        identity: { type: claim.type, namespace: claim.namespace },
      },
    },
  );
}

/**
 * The principal a merge is recorded under when the write has no caller of its own: an actor
 * string `client:<id>` / `staff:<id>` (a sale's), or anything else (`import:<id>`) as a client.
 */
export function actorPrincipal(tenantId: string, actor: string): Principal {
  const [kind, ...rest] = actor.split(':');
  const known = kind === 'client' || kind === 'staff';
  return {
    tenantId,
    tenantSlug: '',
    kind: known ? kind : 'client',
    subject: known ? rest.join(':') : actor,
    scopes: new Set<string>(),
  };
}
