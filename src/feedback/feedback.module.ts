import { Module } from '@nestjs/common';
import { FeedbackController } from './feedback.controller';
import { FeedbackLinks } from './feedback-links';
import { FeedbackRepository } from './feedback.repository';
import { FeedbackResolver } from './feedback.resolver';
import { FeedbackService } from './feedback.service';

@Module({
  controllers: [FeedbackController],
  providers: [FeedbackRepository, FeedbackService, FeedbackResolver, FeedbackLinks],
  exports: [FeedbackService],
})
export class FeedbackModule {}
