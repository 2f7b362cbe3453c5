import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { DataQualityService } from './data-quality.service';
import { DataQualityReportModel, NormaliseResultModel } from './dto/data-quality.model';

@ApiTags('data quality')
@ApiBearerAuth()
@Controller('v1')
export class DataQualityController {
  constructor(private readonly quality: DataQualityService) {}

  @Get('reports/data-quality')
  @Scopes('reports:read')
  @ApiOperation({
    summary: 'Data-quality report of the customer library',
    description:
      "Invalid phones and e-mails (re-checked with today's rules), values that normalising would change, customers missing key fields, " +
      'stale profiles (not confirmed within profileConfirmDays) and likely duplicates from the customers duplicate finder.',
  })
  @ApiOkResponse({ type: DataQualityReportModel })
  @ApiProblems(401, 403)
  report(@CurrentPrincipal() principal: Principal): Promise<DataQualityReportModel> {
    return this.quality.report(principal);
  }

  @Post('cleaning/normalise')
  @HttpCode(200)
  @Scopes('customers:write')
  @ApiOperation({
    summary: 'Re-normalise phones, e-mails and names',
    description:
      'Walks every active customer in batches of 1,000 (one transaction each): phones to E.164 for the tenant region, e-mails lower-cased, ' +
      'names trimmed with full-width letters and digits made half-width (traditional and simplified Chinese kept as written). Identities follow. ' +
      'Invalid values are left and counted; a value another customer already holds is a duplicate to merge and is left too.',
  })
  @ApiOkResponse({ type: NormaliseResultModel })
  @ApiProblems(401, 403)
  normalise(@CurrentPrincipal() principal: Principal): Promise<NormaliseResultModel> {
    return this.quality.normalise(principal);
  }
}
