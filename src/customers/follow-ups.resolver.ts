import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import {
  CompleteFollowUpInput,
  CreateFollowUpInput,
  FollowUpModel,
  FollowUpPageModel,
  FollowUpQuery,
  InteractionModel,
  LogInteractionInput,
} from './dto/follow-up.dto';
import { FollowUpsService } from './follow-ups.service';
import { InteractionsService } from './interactions.service';

/** GraphQL mirror of interactions and follow-ups. */
@Resolver()
export class FollowUpsResolver {
  constructor(
    private readonly followUpService: FollowUpsService,
    private readonly interactions: InteractionsService,
  ) {}

  @Query(() => FollowUpPageModel, { description: 'Follow-ups by assignee, status and due date.' })
  @Scopes('customers:read')
  followUps(
    @CurrentPrincipal() principal: Principal,
    @Args() query: FollowUpQuery,
  ): Promise<FollowUpPageModel> {
    return this.followUpService.list(principal, query);
  }

  @Mutation(() => InteractionModel)
  @Scopes('customers:write')
  logInteraction(
    @CurrentPrincipal() principal: Principal,
    @Args('customerId', { type: () => ID }) customerId: string,
    @Args('input') input: LogInteractionInput,
  ): Promise<InteractionModel> {
    return this.interactions.log(principal, customerId, input);
  }

  @Mutation(() => FollowUpModel)
  @Scopes('customers:write')
  createFollowUp(
    @CurrentPrincipal() principal: Principal,
    @Args('customerId', { type: () => ID }) customerId: string,
    @Args('input') input: CreateFollowUpInput,
  ): Promise<FollowUpModel> {
    return this.followUpService.createForCustomer(principal, customerId, input);
  }

  @Mutation(() => FollowUpModel)
  @Scopes('customers:write')
  completeFollowUp(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: CompleteFollowUpInput,
  ): Promise<FollowUpModel> {
    return this.followUpService.completeFromApi(principal, id, input);
  }
}
