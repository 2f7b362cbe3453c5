import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { SatisfactionReportModel } from './dto/satisfaction-report.model';
import { SatisfactionQuery } from './dto/survey.input';
import { SatisfactionReportService } from './satisfaction-report.service';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class SatisfactionReportController {
  constructor(private readonly reports: SatisfactionReportService) {}

  @Get('satisfaction')
  @Scopes('reports:read')
  @ApiOperation({
    summary: 'Satisfaction report',
    description:
      'For a period (default the last 30 days) and optionally one store: NPS and CSAT over all survey responses; complaints ' +
      'received by resolution category and by store; median and p90 minutes to first response and to resolution; and the ' +
      'SLA breach rate (resolved after dueAt or open past it, of those whose outcome is known).',
  })
  @ApiOkResponse({ type: SatisfactionReportModel })
  @ApiProblems(401, 403, 422)
  satisfaction(
    @CurrentPrincipal() principal: Principal,
    @Query() query: SatisfactionQuery,
  ): Promise<SatisfactionReportModel> {
    return this.reports.satisfaction(principal, query);
  }
}
