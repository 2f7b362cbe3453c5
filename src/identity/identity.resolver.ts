import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { MergeModel, MergePageModel, MergePreviewInput } from './dto/merge.dto';
import { MergePreviewModel } from './dto/merge-preview.model';
import { MatchRulesInput, MatchRulesModel } from './dto/match-rules.dto';
import { MatchRulesService } from './match-rules.service';
import { MergePreviewService } from './merge-preview.service';
import { MergesService } from './merges.service';

/** GraphQL mirror of the identity routes; same service methods as the REST controllers. */
@Resolver()
export class IdentityResolver {
  constructor(
    private readonly rules: MatchRulesService,
    private readonly merges: MergesService,
    private readonly previews: MergePreviewService,
  ) {}

  @Query(() => MatchRulesModel, {
    description: "The tenant's identity match rules (the defaults until set).",
  })
  @Scopes('customers:read')
  identityRules(@CurrentPrincipal() principal: Principal): Promise<MatchRulesModel> {
    return this.rules.get(principal);
  }

  @Mutation(() => MatchRulesModel, {
    description: 'Replace the identity match rules (ordered = priority).',
  })
  @Scopes('customers:write')
  setIdentityRules(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: MatchRulesInput,
  ): Promise<MatchRulesModel> {
    return this.rules.put(principal, input);
  }

  @Query(() => MergePreviewModel, { description: 'What a merge would do; nothing is kept.' })
  @Scopes('customers:read')
  mergePreview(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: MergePreviewInput,
  ): Promise<MergePreviewModel> {
    return this.previews.preview(principal, input);
  }

  @Query(() => MergePageModel, { description: 'Merges a customer took part in, newest first.' })
  @Scopes('customers:read')
  customerMerges(
    @CurrentPrincipal() principal: Principal,
    @Args('customerId', { type: () => ID }) customerId: string,
  ): Promise<MergePageModel> {
    return this.merges.list(principal, customerId, {});
  }

  @Mutation(() => MergeModel, {
    description: 'Undo a recorded merge (see POST /v1/merges/{id}/undo).',
  })
  @Scopes('customers:write')
  undoMerge(
    @CurrentPrincipal() principal: Principal,
    @Args('mergeId', { type: () => ID }) mergeId: string,
  ): Promise<MergeModel> {
    return this.merges.undo(principal, mergeId);
  }
}
