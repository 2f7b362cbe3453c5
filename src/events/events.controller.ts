import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { EventFeedQuery, EventPage } from './dto/event.model';
import { EventsService } from './events.service';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @Scopes('webhooks:admin')
  @ApiOperation({
    summary: 'Pull feed of events',
    description:
      "The tenant's events in stream order (`seq`), the same events webhooks deliver. Poll with `after=<nextCursor>`; " +
      'the cursor never skips an event that committed late, because seqs are handed out only to committed events, in ' +
      'order, by one sequencer per tenant. Personal data is removed unless the token holds `pii:read`; marketing events ' +
      'without consent are left out.',
  })
  @ApiOkResponse({ type: EventPage })
  @ApiProblems(401, 403, 422)
  feed(
    @CurrentPrincipal() principal: Principal,
    @Query() query: EventFeedQuery,
  ): Promise<EventPage> {
    return this.events.feed(principal, query);
  }
}
