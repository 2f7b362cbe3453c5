import type { Tx } from '../database/tx';
import {
  actorPrincipal,
  CustomerIdentityClaimsService,
} from '../customers/customer-identity-claims.service';
import type { Row } from './customer-import.processor';
import { fillBlanks } from './customer-row-reader';

interface Group {
  rows: Row[];
  merged: Row;
}

export interface Settled {
  /** Groups the rules put on one customer (after merging the holders). */
  updates: (Group & { customerId: string })[];
  /** Groups the rules refused (a `suggest` rule, different phones): a row error per line. */
  refused: (Group & { detail: string })[];
  /** Customers merged away in this batch → their survivor. */
  survivorOf: Map<string, string>;
}

const keyOf = (i: { type: string; namespace: string; bidx: string }) =>
  `${i.type}|${i.namespace}|${i.bidx}`;

/**
 * Import rows whose identities name several stored customers (found by the batch's one
 * set-based holder look-up) go to the same match-rule engine as the API, in one call: rules
 * load once, the holders lock in one statement, and only these rows cost a merge each. A
 * `merge` rule joins the customers (the older survives; recorded with the rule and actor
 * `import:<id>`) and the row then fills blanks like any other; anything else is a row error.
 */
export async function settleContested(
  claims: CustomerIdentityClaimsService,
  tx: Tx,
  actor: string,
  contested: Group[],
  holders: Map<string, string>,
): Promise<Settled> {
  const settled: Settled = { updates: [], refused: [], survivorOf: new Map() };
  if (!contested.length) return settled;
  const outcomes = await claims.resolveClaims(
    tx,
    actorPrincipal(tx.tenant, actor),
    contested.map((c) => ({
      write: 'import' as const,
      phoneBidx: c.merged.identities.find((i) => i.type === 'phone')?.bidx ?? null,
      claims: c.merged.identities.flatMap((id) => {
        const holderId = holders.get(keyOf(id));
        return holderId
          ? [{ type: id.type, namespace: id.namespace, bidx: id.bidx, verified: false, holderId }]
          : [];
      }),
    })),
  );
  contested.forEach((group, i) => {
    const outcome = outcomes[i];
    if ('error' in outcome) {
      settled.refused.push({ ...group, detail: outcome.error.detail });
      return;
    }
    for (const id of group.merged.identities) {
      const holderId = holders.get(keyOf(id));
      if (holderId && holderId !== outcome.customerId)
        settled.survivorOf.set(holderId, outcome.customerId);
    }
    settled.updates.push({ ...group, customerId: outcome.customerId });
  });
  return settled;
}

/**
 * Updates re-pointed to the survivors of merges the match rules made in this batch; several
 * updates of one customer become one (the first row's values win, later rows fill blanks).
 */
export function followSurvivors<U extends { merged: Row; customerId: string }>(
  updates: U[],
  survivorOf: Map<string, string>,
): U[] {
  if (!survivorOf.size) return updates;
  const to = (id: string) => {
    for (let hops = 0; survivorOf.has(id) && hops < 50; hops++) id = survivorOf.get(id)!;
    return id;
  };
  const byCustomer = new Map<string, U>();
  for (const u of updates) {
    const customerId = to(u.customerId);
    const first = byCustomer.get(customerId);
    if (!first) {
      byCustomer.set(customerId, { ...u, customerId });
      continue;
    }
    fillBlanks(first.merged.input, u.merged.input);
    const seen = new Set(first.merged.identities.map(keyOf));
    first.merged.identities.push(...u.merged.identities.filter((i) => !seen.has(keyOf(i))));
  }
  return [...byCustomer.values()];
}
