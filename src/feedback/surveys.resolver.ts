import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { SatisfactionReportModel } from './dto/satisfaction-report.model';
import {
  CreateSurveyInput,
  SatisfactionQuery,
  SubmitSurveyResponseInput,
  SurveyResultsQuery,
} from './dto/survey.input';
import { SurveyModel, SurveyResponseModel, SurveyResultsModel } from './dto/survey.model';
import { SatisfactionReportService } from './satisfaction-report.service';
import { SurveysService } from './surveys.service';

/** GraphQL mirror of the survey routes and the satisfaction report. */
@Resolver(() => SurveyModel)
export class SurveysResolver {
  constructor(
    private readonly surveys: SurveysService,
    private readonly reports: SatisfactionReportService,
  ) {}

  @Query(() => SurveyModel, { name: 'survey', description: 'A survey and its questions.' })
  @Scopes('feedback:read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<SurveyModel> {
    return this.surveys.get(principal, id);
  }

  @Query(() => SurveyResultsModel, {
    name: 'surveyResults',
    description: 'NPS, CSAT and distributions, overall, per store and per period.',
  })
  @Scopes('feedback:read')
  results(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('query', { type: () => SurveyResultsQuery, nullable: true }) query?: SurveyResultsQuery,
  ): Promise<SurveyResultsModel> {
    return this.surveys.results(principal, id, query ?? {});
  }

  @Query(() => SatisfactionReportModel, {
    name: 'satisfactionReport',
    description: 'NPS, CSAT and complaint handling for a period.',
  })
  @Scopes('reports:read')
  satisfaction(
    @CurrentPrincipal() principal: Principal,
    @Args('query', { type: () => SatisfactionQuery, nullable: true }) query?: SatisfactionQuery,
  ): Promise<SatisfactionReportModel> {
    return this.reports.satisfaction(principal, query ?? {});
  }

  @Mutation(() => SurveyModel, { description: 'Create a survey.' })
  @Scopes('feedback:write')
  createSurvey(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CreateSurveyInput,
  ): Promise<SurveyModel> {
    return this.surveys.create(principal, input);
  }

  @Mutation(() => SurveyResponseModel, { description: 'Submit a survey response.' })
  @Scopes('feedback:write')
  submitSurveyResponse(
    @CurrentPrincipal() principal: Principal,
    @Args('surveyId', { type: () => ID }) surveyId: string,
    @Args('input') input: SubmitSurveyResponseInput,
  ): Promise<SurveyResponseModel> {
    return this.surveys.respond(principal, surveyId, input);
  }
}
