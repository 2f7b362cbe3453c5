import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { decodeCursor, Page, PageQuery, pageLimit, toPage } from '../common/pagination';
import { isUuid, uuid7 } from '../common/uuid7';
import { CustomerExtensions } from '../customers/customer-extensions';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import {
  CreateSurveyInput,
  SubmitSurveyResponseInput,
  SurveyResultsQuery,
} from './dto/survey.input';
import { SurveyModel, SurveyResponseModel, SurveyResultsModel } from './dto/survey.model';
import { FeedbackLinks } from './feedback-links';
import { FeedbackRepository } from './feedback.repository';
import { actorOf } from '../auth/principal';
import { resolvePeriod } from './satisfaction-period';
import { checkAnswers, checkQuestions } from './survey-rules';
import {
  groupBy,
  summarise,
  toQuestionResults,
  toResponseModel,
  toSurveyModel,
} from './survey.mapper';
import { QuestionRow, SurveyRow, SurveysRepository } from './surveys.repository';

@Injectable()
export class SurveysService implements OnModuleInit {
  constructor(
    private readonly database: Database,
    private readonly repository: SurveysRepository,
    private readonly feedback: FeedbackRepository,
    private readonly links: FeedbackLinks,
    private readonly clock: Clock,
    private readonly extensions: CustomerExtensions,
  ) {}

  onModuleInit(): void {
    this.extensions.registerMergeHandler('surveys', (tx, survivorId, sourceIds) =>
      this.repository.repointCustomer(tx, survivorId, sourceIds),
    );
    this.extensions.registerEraseHandler('surveys', (tx, customerId) =>
      this.repository.eraseCustomer(tx, customerId),
    );
  }

  async create(principal: Principal, input: CreateSurveyInput): Promise<SurveyModel> {
    const errors = checkQuestions(input.questions);
    if (errors.length) throw DomainError.validation(errors);
    const now = this.clock.now();
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const survey = await this.repository.insertSurvey(tx, {
        id: uuid7(),
        name: input.name,
        description: input.description ?? null,
        store_id: input.storeId ?? null,
        allow_repeat: input.allowRepeat ?? false,
        allow_anonymous: input.allowAnonymous ?? true,
        reward_points: input.rewardPoints ?? 0,
        created_by: actorOf(principal),
        created_at: now,
      });
      const questions = await this.repository.insertQuestions(
        tx,
        input.questions.map((q, index) => ({
          id: uuid7(),
          survey_id: survey.id,
          position: index + 1,
          kind: q.kind as QuestionRow['kind'],
          prompt: q.prompt,
          options: q.options ?? [],
          required: q.required ?? true,
          scale_max: q.kind === 'rating' ? (q.scaleMax ?? 5) : null,
        })),
      );
      return toSurveyModel(
        survey,
        questions.sort((a, b) => a.position - b.position),
      );
    });
  }

  async get(principal: Principal, id: string): Promise<SurveyModel> {
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const survey = await this.require(tx, id);
      return toSurveyModel(survey, await this.repository.questionsOf(tx, [id]));
    });
  }

  async list(principal: Principal, query: PageQuery): Promise<Page<SurveyModel>> {
    const keyset = decodeCursor(query.cursor);
    const limit = pageLimit(query);
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const rows = await this.repository.listSurveys(tx, keyset, limit);
      const questions = await this.repository.questionsOf(
        tx,
        rows.map((r) => r.id),
      );
      return toPage(rows, limit, (row) =>
        toSurveyModel(
          row,
          questions.filter((q) => q.survey_id === row.id),
        ),
      );
    });
  }

  /**
   * One response: from a known customer (once per survey unless repeats are allowed, enforced by
   * a unique index so concurrent duplicates fail too) or anonymous with the link token it came from.
   */
  async respond(
    principal: Principal,
    surveyId: string,
    input: SubmitSurveyResponseInput,
  ): Promise<SurveyResponseModel> {
    const now = this.clock.now();
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const survey = await this.require(tx, surveyId);
      if (!input.customerId && !input.linkToken) {
        throw DomainError.field(
          'customerId',
          'required',
          'customerId, or linkToken for an anonymous response, is required',
        );
      }
      if (!input.customerId && !survey.allow_anonymous) {
        throw DomainError.field(
          'customerId',
          'required',
          'this survey does not accept anonymous responses',
        );
      }
      const checked = checkAnswers(
        await this.repository.questionsOf(tx, [surveyId]),
        input.answers,
      );
      if (checked.errors.length) throw DomainError.validation(checked.errors);
      const customerId = input.customerId
        ? await this.links.requireCustomer(tx, input.customerId)
        : undefined;

      const id = uuid7();
      const dedupeKey = survey.allow_repeat
        ? null
        : customerId
          ? `c:${customerId}`
          : `t:${input.linkToken}`;
      const row = await this.repository.insertResponse(tx, {
        id,
        survey_id: surveyId,
        customer_id: customerId ?? null,
        link_token: input.linkToken ?? null,
        dedupe_key: dedupeKey,
        store_id: input.storeId ?? survey.store_id,
        nps_score: checked.nps,
        csat_score: checked.csat,
        answers: checked.answers,
        points_awarded: 0,
        created_at: now,
      });
      if (!row) {
        throw new DomainError(
          'conflict',
          customerId
            ? 'This customer already answered this survey.'
            : 'This link was already used to answer this survey.',
        );
      }
      if (customerId && survey.reward_points > 0) {
        row.points_awarded = await this.links.awardSurveyPoints(tx, {
          customerId,
          points: survey.reward_points,
          responseId: id,
          surveyId,
        });
        if (row.points_awarded) await this.repository.setPointsAwarded(tx, id, row.points_awarded);
      }
      return toResponseModel(row);
    });
  }

  async results(
    principal: Principal,
    surveyId: string,
    query: SurveyResultsQuery,
  ): Promise<SurveyResultsModel> {
    const { from, to } = resolvePeriod(query, this.clock.now());
    return this.database.withTenant(principal.tenantId, async (tx) => {
      await this.require(tx, surveyId);
      const { time_zone } = await this.feedback.tenantSettings(tx);
      const scope = { surveyId, from, to, storeId: query.storeId };
      const counts = await this.repository.scoreCounts(
        tx,
        scope,
        query.interval ?? 'month',
        time_zone,
      );
      const questions = await this.repository.questionsOf(tx, [surveyId]);
      const answers = await this.repository.answerCounts(tx, scope);
      return {
        surveyId,
        from: from.toISOString(),
        to: to.toISOString(),
        ...summarise(counts),
        byStore: groupBy(counts, (row) => row.store_id ?? '(none)'),
        byPeriod: groupBy(counts, (row) => row.period),
        questions: toQuestionResults(questions, answers),
      };
    });
  }

  private async require(tx: Tx, id: string): Promise<SurveyRow> {
    const row = isUuid(id) ? await this.repository.findSurvey(tx, id) : undefined;
    if (!row) throw DomainError.notFound('Survey');
    return row;
  }
}
