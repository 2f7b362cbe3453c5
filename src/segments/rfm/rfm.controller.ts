import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Scopes } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import {
  RfmRecomputeModel,
  SegmentSettingsInput,
  SegmentSettingsModel,
} from '../dto/segment-settings.input';
import { RfmService } from './rfm.service';

@ApiTags('segments')
@ApiBearerAuth()
@Controller('v1/segments')
export class RfmController {
  constructor(private readonly rfm: RfmService) {}

  @Post('rfm/recompute')
  @HttpCode(200)
  @Scopes('segments:write')
  @ApiOperation({
    summary: 'Recompute RFM scores now',
    description:
      "Scores every purchaser 1–5 on recency, frequency and monetary by quintile of the tenant's purchasers and assigns the " +
      'standard RFM segment, frequency/spend classes and gold. Also runs nightly. Refresh segments afterwards to update membership.',
  })
  @ApiOkResponse({ type: RfmRecomputeModel })
  @ApiProblems(401, 403)
  recompute(@CurrentPrincipal() principal: Principal): Promise<RfmRecomputeModel> {
    return this.rfm.recompute(principal);
  }

  @Get('settings')
  @Scopes('segments:read')
  @ApiOperation({
    summary: 'Classification settings',
    description: 'Gold share and minimum purchases, lapsed days, frequency and spend thresholds.',
  })
  @ApiOkResponse({ type: SegmentSettingsModel })
  @ApiProblems(401, 403)
  settings(@CurrentPrincipal() principal: Principal): Promise<SegmentSettingsModel> {
    return this.rfm.getSettings(principal);
  }

  @Put('settings')
  @Scopes('segments:write')
  @ApiOperation({
    summary: 'Change classification settings',
    description:
      'Thresholds apply from the next RFM recompute; the built-in lapsed segment follows lapsedDays at once.',
  })
  @ApiOkResponse({ type: SegmentSettingsModel })
  @ApiProblems(401, 403, 422)
  putSettings(
    @CurrentPrincipal() principal: Principal,
    @Body() input: SegmentSettingsInput,
  ): Promise<SegmentSettingsModel> {
    return this.rfm.putSettings(principal, input);
  }
}
