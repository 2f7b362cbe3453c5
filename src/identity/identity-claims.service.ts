import { Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import type { Tx } from '../database/tx';
import { CustomerExtensions, IdentityClaimContext } from '../customers/customer-extensions';
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

/** What the match rules make of one claimed identity. */
interface Decision {
  type: string;
  holderId: string;
  rule: MatchRule | undefined;
  merge: boolean;
  label: string;
}

/**
 * Applies the tenant's match rules when a write brings an identity another customer holds:
 * `merge` rules put the write on the existing customer (merging every holder into the oldest,
 * recorded with the rule), anything else is 409 `identity_conflict` with the suggestion. An
 * e-shop guest (no phone) claimed by its e-mail is promoted by the registration that brings it.
 * Two different phones never merge silently: that is 409 too.
 */
@Injectable()
export class IdentityClaimsService implements OnModuleInit {
  constructor(
    private readonly extensions: CustomerExtensions,
    private readonly rules: MatchRulesService,
    private readonly merging: CustomerMergeService,
  ) {}

  onModuleInit(): void {
    this.extensions.registerIdentityClaimResolver((tx, context) => this.resolve(tx, context));
  }

  async resolve(tx: Tx, context: IdentityClaimContext): Promise<string> {
    const { rules } = await this.rules.load(tx);
    const holderIds = [...new Set(context.claims.map((c) => c.holderId))];
    const holders = await this.lockHolders(tx, [
      ...holderIds,
      ...(context.customerId ? [context.customerId] : []),
    ]);
    const decisions: Decision[] = context.claims.map((claim) => {
      const holder = holders.get(claim.holderId)!;
      const rule = ruleFor(
        rules,
        claim.type,
        claim.type === 'phone' && (claim.verified || holder.phone_verified),
      );
      if (rule?.action === 'merge')
        return { type: claim.type, holderId: claim.holderId, rule, merge: true, label: rule.match };
      // Guest → member: an e-shop guest checkout is known by its e-mail only.
      const guest =
        claim.type === 'email' && context.write === 'create' && holder.phone_bidx === null;
      return {
        type: claim.type,
        holderId: claim.holderId,
        rule,
        merge: guest,
        label: guest ? 'guest_promotion' : (rule?.match ?? claim.type),
      };
    });

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
      [...targets.map((h) => h.phone_bidx), context.phoneBidx ?? null].filter(
        (p): p is string => p !== null,
      ),
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
          .filter((d) => d.rule)
          .sort((a, b) => priorityOf(rules, a.rule!) - priorityOf(rules, b.rule!))[0] ??
        decisions[0];
      await this.merging.mergeWithin(
        tx,
        {
          principal: context.principal,
          rule: strongest.label,
          reason: `automatic: ${strongest.label} match`,
        },
        survivor.id,
        others.map((o) => o.id),
      );
    }
    return survivor.id;
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
