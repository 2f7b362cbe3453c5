import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Scopes } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { AuditQueryService } from './audit-query.service';
import { AuditPageModel, AuditQuery, AuditVerifyModel } from './dto/audit.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  @Scopes('audit:read')
  @ApiOperation({
    summary: 'Search the audit log',
    description:
      "Who read or changed which customer's personal data, log-ins and permission failures, newest first. " +
      'Staff roles auditor and admin (or a client with `audit:read`). Entries are written asynchronously, within about a second.',
  })
  @ApiOkResponse({ type: AuditPageModel })
  @ApiProblems(401, 403, 422)
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: AuditQuery,
  ): Promise<AuditPageModel> {
    return this.audit.list(principal, query);
  }

  @Get('verify')
  @Scopes('audit:read')
  @ApiOperation({
    summary: 'Verify the audit hash chain',
    description:
      "Recomputes every entry's hash and link to its predecessor. Intact → 200; tampered (altered, relinked or deleted " +
      'entry) → 409 `conflict` with `brokenAt: { seq, id, reason }` naming the first broken link.',
  })
  @ApiOkResponse({ type: AuditVerifyModel })
  @ApiProblems(401, 403, 409)
  verify(@CurrentPrincipal() principal: Principal): Promise<AuditVerifyModel> {
    return this.audit.verify(principal);
  }
}
