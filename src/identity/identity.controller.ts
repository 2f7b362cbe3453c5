import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { MatchRulesInput, MatchRulesModel } from './dto/match-rules.dto';
import { MatchRulesService } from './match-rules.service';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('v1/identity')
export class IdentityController {
  constructor(private readonly rules: MatchRulesService) {}

  @Get('rules')
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'Identity match rules',
    description:
      'What happens when a create or an added identity brings an id another customer holds, in priority order. Default: `wechat_unionid` and ' +
      '`phone_verified` merge automatically (the older customer survives); `email` and `name_birthday` only suggest (409 `identity_conflict` with a suggestion). ' +
      'An e-shop guest (e-mail only) is promoted by a registration with the same e-mail; two different phones never merge automatically.',
  })
  @ApiOkResponse({ type: MatchRulesModel })
  @ApiProblems(401, 403)
  get(@CurrentPrincipal() principal: Principal): Promise<MatchRulesModel> {
    return this.rules.get(principal);
  }

  @Put('rules')
  @Scopes('customers:write')
  @ApiOperation({
    summary: 'Replace the identity match rules',
    description:
      'The whole ordered list; each key at most once; `name_birthday` can only suggest. Applies to the next write. Managers, admins and integrations only (store staff get 403).',
  })
  @ApiOkResponse({ type: MatchRulesModel })
  @ApiProblems(401, 403, 422)
  put(
    @CurrentPrincipal() principal: Principal,
    @Body() input: MatchRulesInput,
  ): Promise<MatchRulesModel> {
    return this.rules.put(principal, input);
  }
}
