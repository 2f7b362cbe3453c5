import { Args, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { CustomerModel } from '../customers/dto/customer.model';
import { CustomerLoyaltyModel } from '../loyalty/dto/customer-loyalty.model';
import { PointsAccountService } from '../loyalty/points-account.service';
import { TransactionPageModel } from './dto/transaction.model';
import { TransactionsService } from './transactions.service';

/** Adds `loyalty` and `transactions` to the Customer type without the customers feature knowing us. */
@Resolver(() => CustomerModel)
export class CustomerFieldsResolver {
  constructor(
    private readonly accounts: PointsAccountService,
    private readonly transactionsService: TransactionsService,
  ) {}

  @ResolveField(() => CustomerLoyaltyModel, {
    description: 'Tier, progress, balance and points expiring soon.',
  })
  @Scopes('loyalty:read')
  loyalty(
    @CurrentPrincipal() principal: Principal,
    @Parent() customer: CustomerModel,
  ): Promise<CustomerLoyaltyModel> {
    return this.accounts.view(principal, customer.id);
  }

  @ResolveField(() => TransactionPageModel, { description: 'Sales and returns, newest first.' })
  @Scopes('customers:read')
  transactions(
    @CurrentPrincipal() principal: Principal,
    @Parent() customer: CustomerModel,
    @Args('limit', { type: () => Int, nullable: true, defaultValue: 20 }) limit: number,
    @Args('cursor', { type: () => String, nullable: true }) cursor?: string,
  ): Promise<TransactionPageModel> {
    return this.transactionsService.listForCustomer(principal, customer.id, {
      limit: Math.min(Math.max(limit, 1), 100),
      cursor,
    });
  }
}
