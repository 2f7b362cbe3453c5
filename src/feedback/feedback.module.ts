import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { LoyaltyModule } from '../loyalty/loyalty.module';
import { TransactionsModule } from '../transactions/transactions.module';
import { FeedbackController } from './feedback.controller';
import { FeedbackLinks } from './feedback-links';
import { FeedbackRepository } from './feedback.repository';
import { FeedbackResolver } from './feedback.resolver';
import { FeedbackService } from './feedback.service';
import { SatisfactionReportController } from './satisfaction-report.controller';
import { SatisfactionReportRepository } from './satisfaction-report.repository';
import { SatisfactionReportService } from './satisfaction-report.service';
import { SurveysController } from './surveys.controller';
import { SurveysRepository } from './surveys.repository';
import { SurveysResolver } from './surveys.resolver';
import { SurveysService } from './surveys.service';

/** Complaints and other feedback with their workflow, satisfaction surveys, and the satisfaction report. */
@Module({
  imports: [CustomersModule, TransactionsModule, LoyaltyModule],
  controllers: [FeedbackController, SurveysController, SatisfactionReportController],
  providers: [
    FeedbackRepository,
    FeedbackService,
    FeedbackResolver,
    FeedbackLinks,
    SurveysRepository,
    SurveysService,
    SurveysResolver,
    SatisfactionReportRepository,
    SatisfactionReportService,
  ],
  exports: [FeedbackService, SurveysService],
})
export class FeedbackModule {}
