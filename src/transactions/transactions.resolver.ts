import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { TransactionInput } from './dto/transaction.input';
import { TransactionResultModel } from './dto/transaction.model';
import { TransactionPostingService } from './transaction-posting.service';

@Resolver()
export class TransactionsResolver {
  constructor(private readonly posting: TransactionPostingService) {}

  @Mutation(() => TransactionResultModel, {
    description: 'Post a sale or a return (idempotent by source and externalId).',
  })
  @Scopes('transactions:write')
  async recordTransaction(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: TransactionInput,
  ): Promise<TransactionResultModel> {
    return (await this.posting.record(principal, input)).result;
  }
}
