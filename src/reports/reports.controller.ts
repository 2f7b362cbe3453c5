import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { OverviewQuery, ProfileQualityQuery } from './dto/report.input';
import { OverviewReportModel, ProfileQualityReportModel, RfmReportModel } from './dto/report.model';
import { ReportsService } from './reports.service';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('overview')
  @Scopes('reports:read')
  @ApiOperation({
    summary: 'Customer KPIs for a period',
    description:
      'Customers total/new/active/lapsed, repeat-purchase rate, retention against the previous period of the same length, AOV, ' +
      'member share of revenue, tier mix and points issued/redeemed/expired. Days are tenant-local.',
  })
  @ApiOkResponse({ type: OverviewReportModel })
  @ApiProblems(401, 403, 422)
  overview(
    @CurrentPrincipal() principal: Principal,
    @Query() query: OverviewQuery,
  ): Promise<OverviewReportModel> {
    return this.reports.overview(principal, query);
  }

  @Get('rfm')
  @Scopes('reports:read')
  @ApiOperation({
    summary: 'RFM grid',
    description:
      '5×5 recency × frequency grid with customer counts and net spend, plus counts per RFM segment.',
  })
  @ApiOkResponse({ type: RfmReportModel })
  @ApiProblems(401, 403)
  rfm(@CurrentPrincipal() principal: Principal): Promise<RfmReportModel> {
    return this.reports.rfm(principal);
  }

  @Get('profile-quality')
  @Scopes('reports:read')
  @ApiOperation({
    summary: 'Profile quality leaderboard (档案评比)',
    description:
      'Per store or registering staff: profiles registered, average completeness, share with a valid phone and duplicate rate.',
  })
  @ApiOkResponse({ type: ProfileQualityReportModel })
  @ApiProblems(401, 403, 422)
  profileQuality(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ProfileQualityQuery,
  ): Promise<ProfileQualityReportModel> {
    return this.reports.profileQuality(principal, query);
  }
}
