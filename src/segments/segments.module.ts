import { Module } from '@nestjs/common';
import { SegmentMembershipRepository } from './segment-membership.repository';
import { SegmentRefreshService } from './segment-refresh.service';
import { SegmentsController } from './segments.controller';
import { SegmentsRepository } from './segments.repository';
import { SegmentsService } from './segments.service';

@Module({
  controllers: [SegmentsController],
  providers: [SegmentsRepository, SegmentMembershipRepository, SegmentsService, SegmentRefreshService],
  exports: [SegmentsService, SegmentRefreshService],
})
export class SegmentsModule {}
