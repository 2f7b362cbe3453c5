import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { PageQuery } from '../common/pagination';
import {
  AssignFeedbackInput,
  CompleteFeedbackFollowUpInput,
  CreateFeedbackInput,
  FeedbackNoteInput,
  ListFeedbackQuery,
  TransitionFeedbackInput,
} from './dto/feedback.input';
import {
  FeedbackModel,
  FeedbackNoteModel,
  FeedbackNotePageModel,
  FeedbackPageModel,
} from './dto/feedback.model';
import { FeedbackService } from './feedback.service';

@ApiTags('feedback')
@ApiBearerAuth()
@Controller('v1/feedback')
export class FeedbackController {
  constructor(private readonly feedback: FeedbackService) {}

  @Post()
  @Scopes('feedback:write')
  @ApiOperation({
    summary: 'Record feedback',
    description:
      'A complaint, suggestion, praise or inquiry from a channel, optionally linked to a customer and one of their ' +
      'transactions. Starts as `received`; `dueAt` comes from the tenant SLA for the severity (defaults: critical 4 h, ' +
      'high 24 h, normal 72 h, low 7 d). Emits `feedback.created`.',
  })
  @ApiCreatedResponse({ type: FeedbackModel })
  @ApiProblems(401, 403, 422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() input: CreateFeedbackInput,
  ): Promise<FeedbackModel> {
    return this.feedback.create(principal, input);
  }

  @Get()
  @Scopes('feedback:read')
  @ApiOperation({
    summary: 'List feedback',
    description:
      'Newest first, filtered by status, type, severity, store, customer, assignee and `overdue`.',
  })
  @ApiOkResponse({ type: FeedbackPageModel })
  @ApiProblems(401, 403, 422)
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListFeedbackQuery,
  ): Promise<FeedbackPageModel> {
    return this.feedback.list(principal, query);
  }

  @Get(':id')
  @Scopes('feedback:read')
  @ApiOperation({
    summary: 'Get one feedback item',
    description: 'With its workflow history (actor, time, note of every transition).',
  })
  @ApiOkResponse({ type: FeedbackModel })
  @ApiProblems(401, 403, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<FeedbackModel> {
    return this.feedback.get(principal, id);
  }

  @Post(':id/transitions')
  @HttpCode(200)
  @Scopes('feedback:write')
  @ApiOperation({
    summary: 'Move feedback through its workflow',
    description:
      'received → acknowledged → in_progress → resolved → closed; resolved → reopened → in_progress. `resolved` needs ' +
      '`resolution` and `category`. Anything else is 409 `invalid_transition` with `allowedTransitions`; of two concurrent ' +
      'transitions one wins and the other gets 409. Resolving emits `feedback.resolved`; a resolved complaint schedules a ' +
      'satisfaction follow-up (回访) for the customer.',
  })
  @ApiOkResponse({ type: FeedbackModel })
  @ApiProblems(401, 403, 404, 409, 422)
  transition(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: TransitionFeedbackInput,
  ): Promise<FeedbackModel> {
    return this.feedback.transition(principal, id, input);
  }

  @Post(':id/assignment')
  @HttpCode(200)
  @Scopes('feedback:write')
  @ApiOperation({
    summary: 'Assign feedback to staff',
    description: 'Sets or clears (`null`) the staff member handling the item.',
  })
  @ApiOkResponse({ type: FeedbackModel })
  @ApiProblems(401, 403, 404, 422)
  assign(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: AssignFeedbackInput,
  ): Promise<FeedbackModel> {
    return this.feedback.assign(principal, id, input);
  }

  @Post(':id/follow-up/complete')
  @HttpCode(200)
  @Scopes('feedback:write')
  @ApiOperation({
    summary: 'Record the satisfaction call-back',
    description:
      'Completes the follow-up (回访) scheduled when the complaint was resolved, logs the contact as an interaction and keeps ' +
      'the CSAT score (1–5) the customer gave, which the satisfaction report counts. 409 when there is no open call-back.',
  })
  @ApiOkResponse({ type: FeedbackModel })
  @ApiProblems(401, 403, 404, 409, 422)
  completeFollowUp(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: CompleteFeedbackFollowUpInput,
  ): Promise<FeedbackModel> {
    return this.feedback.completeFollowUp(principal, id, input);
  }

  @Post(':id/notes')
  @Scopes('feedback:write')
  @ApiOperation({
    summary: 'Add a note',
    description: "Appends to the item's internal notes thread.",
  })
  @ApiCreatedResponse({ type: FeedbackNoteModel })
  @ApiProblems(401, 403, 404, 422)
  addNote(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: FeedbackNoteInput,
  ): Promise<FeedbackNoteModel> {
    return this.feedback.addNote(principal, id, input);
  }

  @Get(':id/notes')
  @Scopes('feedback:read')
  @ApiOperation({ summary: 'List notes', description: 'The notes thread, newest first.' })
  @ApiOkResponse({ type: FeedbackNotePageModel })
  @ApiProblems(401, 403, 404, 422)
  listNotes(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: PageQuery,
  ): Promise<FeedbackNotePageModel> {
    return this.feedback.listNotes(principal, id, query);
  }
}
