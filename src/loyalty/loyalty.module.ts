import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { CustomerRefs } from './customer-refs';
import { LoyaltyJobs } from './loyalty.jobs';
import { LoyaltyController } from './loyalty.controller';
import { LoyaltyProgramService } from './loyalty-program.service';
import { LoyaltyJobsRepository } from './loyalty-jobs.repository';
import { LoyaltyRepository } from './loyalty.repository';
import { LoyaltyResolver } from './loyalty.resolver';
import { LoyaltyService } from './loyalty.service';
import { PointsAccountService } from './points-account.service';

@Module({
  imports: [CustomersModule],
  controllers: [LoyaltyController],
  providers: [
    LoyaltyRepository,
    LoyaltyJobsRepository,
    LoyaltyProgramService,
    LoyaltyService,
    PointsAccountService,
    CustomerRefs,
    LoyaltyResolver,
    LoyaltyJobs,
  ],
  exports: [LoyaltyService, LoyaltyProgramService, PointsAccountService, CustomerRefs],
})
export class LoyaltyModule {}
