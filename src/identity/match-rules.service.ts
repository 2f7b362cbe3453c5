import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { restrictedStore } from '../customers/customer-access';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { MatchRulesInput, MatchRulesModel } from './dto/match-rules.dto';
import { DEFAULT_MATCH_RULES, MatchRule, validateMatchRules } from './match-rules';

interface RulesRow {
  rules: MatchRule[];
  version: number;
}

/** The tenant's identity match rules (one row per tenant; the defaults until a PUT). */
@Injectable()
export class MatchRulesService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async load(tx: Tx): Promise<{ rules: MatchRule[]; version: number; isDefault: boolean }> {
    const row = await tx.one<RulesRow>(
      `SELECT rules, version FROM identity_match_rules WHERE tenant_id = $1`,
      [tx.tenant],
    );
    return row
      ? { rules: row.rules, version: row.version, isDefault: false }
      : { rules: DEFAULT_MATCH_RULES, version: 0, isDefault: true };
  }

  async get(principal: Principal): Promise<MatchRulesModel> {
    return this.db.withTenant(principal.tenantId, async (tx) => toModel(await this.load(tx)));
  }

  async put(principal: Principal, input: MatchRulesInput): Promise<MatchRulesModel> {
    if (restrictedStore(principal) !== undefined)
      throw new DomainError('forbidden', 'Only managers and admins change the match rules.');
    const rules = validateMatchRules(input.rules);
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const row = await tx.one<RulesRow>(
        `INSERT INTO identity_match_rules (tenant_id, rules, updated_by, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id) DO UPDATE SET rules = EXCLUDED.rules, updated_by = EXCLUDED.updated_by,
                updated_at = EXCLUDED.updated_at, version = identity_match_rules.version + 1
         RETURNING rules, version`,
        [tx.tenant, JSON.stringify(rules), principal.subject, this.clock.now()],
      );
      return toModel({ ...row!, isDefault: false });
    });
  }
}

function toModel(loaded: {
  rules: MatchRule[];
  version: number;
  isDefault: boolean;
}): MatchRulesModel {
  return {
    rules: loaded.rules.map((r) => ({ match: r.match, action: r.action })),
    version: loaded.version,
    isDefault: loaded.isDefault,
  };
}
