import { Module } from '@nestjs/common';
import { CustomerFieldsResolver } from './customer-fields.resolver';
import { LoyaltyModule } from '../loyalty/loyalty.module';
import { CustomerStatsRepository } from './customer-stats.repository';
import { TransactionIngest } from './transaction-ingest';
import { TransactionsController } from './transactions.controller';
import { TransactionsJobs } from './transactions.jobs';
import { TransactionsRepository } from './transactions.repository';
import { TransactionsResolver } from './transactions.resolver';
import { TransactionPostingService } from './transaction-posting.service';
import { TransactionsService } from './transactions.service';

@Module({
  imports: [LoyaltyModule],
  controllers: [TransactionsController],
  providers: [
    CustomerFieldsResolver,
    TransactionsRepository,
    CustomerStatsRepository,
    TransactionIngest,
    TransactionPostingService,
    TransactionsService,
    TransactionsResolver,
    TransactionsJobs,
  ],
  exports: [TransactionsService, TransactionIngest],
})
export class TransactionsModule {}
