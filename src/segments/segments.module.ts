import { Module } from '@nestjs/common';
import { ConsentModule } from '../consent/consent.module';
import { SegmentExportRepository } from './export/segment-export.repository';
import { SegmentExportService } from './export/segment-export.service';
import { RfmController } from './rfm/rfm.controller';
import { RfmRepository } from './rfm/rfm.repository';
import { RfmService } from './rfm/rfm.service';
import { SegmentMembershipRepository } from './segment-membership.repository';
import { SegmentRefreshService } from './segment-refresh.service';
import { SegmentsController } from './segments.controller';
import { SegmentsRepository } from './segments.repository';
import { SegmentsService } from './segments.service';
import { SegmentsResolver } from './segments.resolver';

@Module({
  imports: [ConsentModule],
  controllers: [RfmController, SegmentsController],
  providers: [
    SegmentsResolver,
    SegmentsRepository,
    SegmentMembershipRepository,
    SegmentsService,
    SegmentRefreshService,
    RfmRepository,
    RfmService,
    SegmentExportRepository,
    SegmentExportService,
  ],
  exports: [SegmentsService, SegmentRefreshService, RfmService],
})
export class SegmentsModule {}
