import { Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import type { Tx } from '../database/tx';
import {
  ClaimOutcome,
  CustomerExtensions,
  IdentityClaimContext,
} from '../customers/customer-extensions';
import { CustomerMergeService } from '../customers/customer-merge.service';
import { MatchRule, priorityOf, ruleFor } from './match-rules';
import { MatchRulesService } from './match-rules.service';

interface HolderRow {
  id: string;
  member_no: string;
  status: string;
  phone_bidx: string | null;
  email_bidx: string | null;
  created_at: Date;
  phone_verified: boolean;
}

/** What the match rules make of the claims on one holder: the strongest `merge` rule, if any. */
interface Decision {
  type: string;
  holderId: string;
  rule: MatchRule | undefined;
  merge: boolean;
  label: string;
}

/**
 * Applies the tenant's match rules when a write brings identities other customers hold — on
 * create, update, identity add, transaction ingest and import alike. A holder joins the write
 * when one of its claimed identities has a `merge` rule (or is an e-shop guest's e-mail brought
 * by a registration); then every holder (and the written customer) merges into the oldest,
 * recorded with the strongest rule in the tenant's priority order. A holder linked only by
 * `suggest` (or no) rule is 409 `identity_conflict` with the suggestion. Two different phones
 * never merge silently, and an inactive holder is never merged: 409 too. Refusals are decided
 * before anything is written.
 */
@Injectable()
export class IdentityClaimsService implements OnModuleInit {
  constructor(
    private readonly extensions: CustomerExtensions,
    private readonly rules: MatchRulesService,
    private readonly merging: CustomerMergeService,
  ) {}

  onModuleInit(): void {
    this.extensions.registerIdentityClaimResolver((tx, contexts) => this.resolveAll(tx, contexts));
  }

  /** One write: the customer it lands on, or the 409. */
  async resolve(tx: Tx, context: IdentityClaimContext): Promise<string> {
    const [outcome] = await this.resolveAll(tx, [context]);
    if ('error' in outcome) throw outcome.error;
    return outcome.customerId;
  }

  /**
   * Many writes (an import batch): rules load once and every holder locks in one statement;
   * holders an earlier write of the set merged away are followed to their survivor.
   */
  async resolveAll(tx: Tx, contexts: IdentityClaimContext[]): Promise<ClaimOutcome[]> {
    if (!contexts.length) return [];
    const { rules } = await this.rules.load(tx);
    const holders = await this.lockHolders(tx, contexts.flatMap(involved));
    const mergedInto = new Map<string, string>();
    const out: ClaimOutcome[] = [];
    for (const original of contexts) {
      const context = followMerged(original, mergedInto);
      const stale = involved(context).filter((id) => !holders.has(id) || touched(id, mergedInto));
      if (stale.length)
        for (const [id, row] of await this.lockHolders(tx, stale)) holders.set(id, row);
      try {
        const survivor = await this.decide(tx, rules, holders, context);
        out.push({ customerId: survivor.id });
        for (const id of survivor.merged) mergedInto.set(id, survivor.id);
        if (survivor.merged.length) mergedInto.set(survivor.id, survivor.id);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'identity_conflict') throw error;
        out.push({ error });
      }
    }
    return out;
  }

  private async decide(
    tx: Tx,
    rules: MatchRule[],
    holders: Map<string, HolderRow>,
    context: IdentityClaimContext,
  ): Promise<{ id: string; merged: string[] }> {
    const holderIds = [...new Set(context.claims.map((c) => c.holderId))].filter(
      (id) => id !== context.customerId,
    );
    const lookup = context.write === 'ingest' || context.write === 'import';
    // A sale or a file row naming one customer is about that customer: nothing to decide.
    if (lookup && holderIds.length === 1) return { id: holderIds[0], merged: [] };
    if (!holderIds.length) return { id: context.customerId!, merged: [] };

    const decisions = holderIds.map((holderId) =>
      this.decideHolder(rules, holders.get(holderId)!, context),
    );
    const targets = [...holderIds, ...(context.customerId ? [context.customerId] : [])].map((id) =>
      holders.get(id)!,
    );
    const inactive = targets.find((h) => h.status !== 'active');
    if (inactive)
      throw new DomainError(
        'identity_conflict',
        `The identity belongs to customer ${inactive.id}, which is ${inactive.status}.`,
        { extensions: { holder: { id: inactive.id, memberNo: inactive.member_no } } },
      );
    const phones = new Set(
      [
        ...targets.map((h) =>
          h.id === context.customerId && context.replacesPhone ? null : h.phone_bidx,
        ),
        context.phoneBidx ?? null,
      ].filter((p): p is string => p !== null),
    );
    if (phones.size > 1) {
      throw new DomainError(
        'identity_conflict',
        'The identities belong to customers with different phones; they are not merged automatically. Review them and merge by hand.',
        {
          extensions: {
            reason: 'different_verified_phones',
            holders: targets.map((h) => ({ id: h.id, memberNo: h.member_no })),
          },
        },
      );
    }

    const refused = decisions.find((d) => !d.merge);
    if (refused) {
      const holder = holders.get(refused.holderId)!;
      throw new DomainError(
        'identity_conflict',
        `This ${refused.type} already belongs to customer ${holder.id}; the match rules only suggest a merge.`,
        {
          extensions: {
            holder: { id: holder.id, memberNo: holder.member_no },
            identity: { type: refused.type },
            rule: refused.rule ? { match: refused.rule.match, action: refused.rule.action } : null,
            suggestion: { survivorId: holder.id, action: 'merge_preview' },
          },
        },
      );
    }

    // The oldest customer survives; the strongest rule (the tenant's priority order) is recorded.
    const [survivor, ...others] = [...targets].sort(
      (a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id.localeCompare(b.id),
    );
    if (others.length) {
      const strongest =
        decisions
          .filter((d) => d.rule?.action === 'merge')
          .sort((a, b) => priorityOf(rules, a.rule!) - priorityOf(rules, b.rule!))[0] ??
        decisions[0];
      await this.merging.mergeWithin(
        tx,
        {
          principal: context.principal,
          rule: strongest.label,
          reason: `automatic (${context.write}): ${strongest.label} match`,
        },
        survivor.id,
        others.map((o) => o.id),
      );
    }
    return { id: survivor.id, merged: others.map((o) => o.id) };
  }

  /** The strongest reason to merge `holder` in: a `merge` rule on one of its claimed identities. */
  private decideHolder(
    rules: MatchRule[],
    holder: HolderRow,
    context: IdentityClaimContext,
  ): Decision {
    const decisions = context.claims
      .filter((c) => c.holderId === holder.id)
      .map((claim): Decision => {
        const rule = ruleFor(
          rules,
          claim.type,
          claim.type === 'phone' && (claim.verified || holder.phone_verified),
        );
        if (rule?.action === 'merge')
          return { type: claim.type, holderId: holder.id, rule, merge: true, label: rule.match };
        // Guest → member: an e-shop guest checkout is known by its e-mail only.
        const guest =
          claim.type === 'email' && context.write === 'create' && holder.phone_bidx === null;
        return {
          type: claim.type,
          holderId: holder.id,
          rule,
          merge: guest,
          label: guest ? 'guest_promotion' : (rule?.match ?? claim.type),
        };
      });
    const merging = decisions
      .filter((d) => d.merge)
      .sort(
        (a, b) =>
          (a.rule ? priorityOf(rules, a.rule) : rules.length) -
          (b.rule ? priorityOf(rules, b.rule) : rules.length),
      );
    return merging[0] ?? decisions[0];
  }

  private async lockHolders(tx: Tx, ids: string[]): Promise<Map<string, HolderRow>> {
    const rows = await tx.query<HolderRow>(
      `SELECT c.id, c.member_no, c.status, c.phone_bidx, c.email_bidx, c.created_at,
              EXISTS (SELECT 1 FROM customer_identities i
                       WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id AND i.type = 'phone' AND i.verified) AS phone_verified
         FROM customers c WHERE c.tenant_id = $1 AND c.id = ANY($2::uuid[]) ORDER BY c.id FOR UPDATE OF c`,
      [tx.tenant, ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }
}

/** The customers a write involves: the holders of its claims and the customer it writes. */
function involved(context: IdentityClaimContext): string[] {
  return [
    ...context.claims.map((c) => c.holderId),
    ...(context.customerId ? [context.customerId] : []),
  ];
}

/** Whether an earlier write of the same set merged into or out of this customer (re-read it). */
function touched(id: string, mergedInto: Map<string, string>): boolean {
  return mergedInto.has(id);
}

/** Claims and the written customer re-pointed to the survivors of merges made earlier in the set. */
function followMerged(
  context: IdentityClaimContext,
  mergedInto: Map<string, string>,
): IdentityClaimContext {
  if (!mergedInto.size) return context;
  const to = (id: string) => {
    for (let hops = 0; mergedInto.has(id) && mergedInto.get(id) !== id && hops < 50; hops++)
      id = mergedInto.get(id)!;
    return id;
  };
  return {
    ...context,
    customerId: context.customerId ? to(context.customerId) : undefined,
    claims: context.claims.map((c) => ({ ...c, holderId: to(c.holderId) })),
  };
}
