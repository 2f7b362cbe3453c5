import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
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
  CreateSurveyInput,
  SubmitSurveyResponseInput,
  SurveyResultsQuery,
} from './dto/survey.input';
import {
  SurveyModel,
  SurveyPageModel,
  SurveyResponseModel,
  SurveyResultsModel,
} from './dto/survey.model';
import { SurveysService } from './surveys.service';

@ApiTags('surveys')
@ApiBearerAuth()
@Controller('v1/surveys')
export class SurveysController {
  constructor(private readonly surveys: SurveysService) {}

  @Post()
  @Scopes('feedback:write')
  @ApiOperation({
    summary: 'Create a survey',
    description:
      'Questions of kind nps (0–10), csat (1–5), single_choice / multi_choice (2–20 options), text and rating (1…scaleMax). ' +
      'At most one nps and one csat question. One response per customer (or link token) unless `allowRepeat`; ' +
      '`rewardPoints` are credited to a known respondent once per response.',
  })
  @ApiCreatedResponse({ type: SurveyModel })
  @ApiProblems(401, 403, 422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() input: CreateSurveyInput,
  ): Promise<SurveyModel> {
    return this.surveys.create(principal, input);
  }

  @Get()
  @Scopes('feedback:read')
  @ApiOperation({ summary: 'List surveys', description: 'Newest first, with their questions.' })
  @ApiOkResponse({ type: SurveyPageModel })
  @ApiProblems(401, 403, 422)
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQuery,
  ): Promise<SurveyPageModel> {
    return this.surveys.list(principal, query);
  }

  @Get(':id')
  @Scopes('feedback:read')
  @ApiOperation({
    summary: 'Get a survey',
    description: 'The survey and its questions (ids to answer with).',
  })
  @ApiOkResponse({ type: SurveyModel })
  @ApiProblems(401, 403, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<SurveyModel> {
    return this.surveys.get(principal, id);
  }

  @Post(':id/responses')
  @Scopes('feedback:write')
  @ApiOperation({
    summary: 'Submit a response',
    description:
      'From `customerId`, or anonymous with the `linkToken` of the link it came from. Every answer must name a question ' +
      'of this survey and fit its kind; required questions must be answered. A second response from the same respondent ' +
      'to a one-response survey is 409 `conflict`. Nothing is stored when anything is refused.',
  })
  @ApiCreatedResponse({ type: SurveyResponseModel })
  @ApiProblems(401, 403, 404, 409, 422)
  respond(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: SubmitSurveyResponseInput,
  ): Promise<SurveyResponseModel> {
    return this.surveys.respond(principal, id, input);
  }

  @Get(':id/results')
  @Scopes('feedback:read')
  @ApiOperation({
    summary: 'Survey results',
    description:
      'NPS (%promoters 9–10 − %detractors 0–6), CSAT mean, satisfied share and distribution, overall, per store and per ' +
      'period (day, week or month in the tenant time zone), and per-question distributions.',
  })
  @ApiOkResponse({ type: SurveyResultsModel })
  @ApiProblems(401, 403, 404, 422)
  results(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: SurveyResultsQuery,
  ): Promise<SurveyResultsModel> {
    return this.surveys.results(principal, id, query);
  }
}
