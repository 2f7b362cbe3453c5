import { Args, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { OverviewQuery, ProfileQualityQuery } from './dto/report.input';
import { OverviewReportModel, ProfileQualityReportModel, RfmReportModel } from './dto/report.model';
import { ReportsService } from './reports.service';

@Resolver()
export class ReportsResolver {
  constructor(private readonly reports: ReportsService) {}

  @Query(() => OverviewReportModel, {
    description: 'Customer KPIs for a period (tenant-local days).',
  })
  @Scopes('reports:read')
  overviewReport(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => OverviewQuery, nullable: true }) filter?: OverviewQuery,
  ): Promise<OverviewReportModel> {
    return this.reports.overview(principal, filter ?? {});
  }

  @Query(() => RfmReportModel, { description: '5×5 R×F grid and RFM segment counts.' })
  @Scopes('reports:read')
  rfmReport(@CurrentPrincipal() principal: Principal): Promise<RfmReportModel> {
    return this.reports.rfm(principal);
  }

  @Query(() => ProfileQualityReportModel, {
    description: 'Profile quality leaderboard by store or staff.',
  })
  @Scopes('reports:read')
  profileQualityReport(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => ProfileQualityQuery, nullable: true })
    filter?: ProfileQualityQuery,
  ): Promise<ProfileQualityReportModel> {
    return this.reports.profileQuality(principal, filter ?? {});
  }
}
