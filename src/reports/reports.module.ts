import { Module } from '@nestjs/common';
import { SegmentsModule } from '../segments/segments.module';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsResolver } from './reports.resolver';
import { ReportsService } from './reports.service';

@Module({
  imports: [SegmentsModule],
  controllers: [ReportsController],
  providers: [ReportsRepository, ReportsService, ReportsResolver],
})
export class ReportsModule {}
