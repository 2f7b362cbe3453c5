import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Roles, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { CustomerLoyaltyModel } from './dto/customer-loyalty.model';
import { LoyaltyProgramInput, LoyaltyProgramModel } from './dto/loyalty-program.input';
import { AdjustmentInput, PointsChangeModel, RedemptionInput } from './dto/points.input';
import { LoyaltyProgramService } from './loyalty-program.service';
import { PointsAccountService } from './points-account.service';

@Resolver()
export class LoyaltyResolver {
  constructor(
    private readonly programs: LoyaltyProgramService,
    private readonly accounts: PointsAccountService,
  ) {}

  @Query(() => LoyaltyProgramModel, {
    description: "The tenant's loyalty program (the default until one is saved).",
  })
  @Scopes('loyalty:read')
  loyaltyProgram(@CurrentPrincipal() principal: Principal): Promise<LoyaltyProgramModel> {
    return this.programs.get(principal);
  }

  @Mutation(() => LoyaltyProgramModel, {
    name: 'loyaltyProgram',
    description: 'Replace the loyalty program.',
  })
  @Scopes('loyalty:write')
  saveLoyaltyProgram(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: LoyaltyProgramInput,
  ): Promise<LoyaltyProgramModel> {
    return this.programs.put(principal, input);
  }

  @Query(() => CustomerLoyaltyModel, { description: "A customer's tier, progress and points." })
  @Scopes('loyalty:read')
  customerLoyalty(
    @CurrentPrincipal() principal: Principal,
    @Args('customerId', { type: () => ID }) customerId: string,
  ): Promise<CustomerLoyaltyModel> {
    return this.accounts.view(principal, customerId);
  }

  @Mutation(() => PointsChangeModel, {
    description: 'Redeem points; idempotent by externalId; insufficient_points when short.',
  })
  @Scopes('loyalty:write')
  async redeemPoints(
    @CurrentPrincipal() principal: Principal,
    @Args('customerId', { type: () => ID }) customerId: string,
    @Args('input') input: RedemptionInput,
  ): Promise<PointsChangeModel> {
    return (await this.accounts.redeem(principal, customerId, input)).change;
  }

  @Mutation(() => PointsChangeModel, {
    description: 'Adjust points with a reason (staff role manager or admin).',
  })
  @Scopes('loyalty:write')
  @Roles('manager', 'admin')
  async adjustPoints(
    @CurrentPrincipal() principal: Principal,
    @Args('customerId', { type: () => ID }) customerId: string,
    @Args('input') input: AdjustmentInput,
  ): Promise<PointsChangeModel> {
    return (await this.accounts.adjust(principal, customerId, input)).change;
  }
}
