import { Injectable } from '@nestjs/common';
import { Keyset, keysetCondition } from '../common/pagination';
import type { Tx } from '../database/tx';
import type { QuestionKind } from './dto/survey.input';
import type { StoredAnswer } from './survey-rules';

export interface SurveyRow {
  id: string;
  name: string;
  description: string | null;
  store_id: string | null;
  allow_repeat: boolean;
  allow_anonymous: boolean;
  reward_points: number;
  created_by: string;
  created_at: Date;
}

export interface QuestionRow {
  id: string;
  survey_id: string;
  position: number;
  kind: QuestionKind;
  prompt: string;
  options: string[];
  required: boolean;
  scale_max: number | null;
}

export interface ResponseRow {
  id: string;
  survey_id: string;
  customer_id: string | null;
  link_token: string | null;
  store_id: string | null;
  nps_score: number | null;
  csat_score: number | null;
  answers: StoredAnswer[];
  points_awarded: number;
  created_at: Date;
}

/** Responses counted per store, period and score pair: the input of the NPS/CSAT maths. */
export interface ScoreCountRow {
  store_id: string | null;
  period: string;
  nps_score: number | null;
  csat_score: number | null;
  n: number;
}

export interface ResultsScope {
  surveyId: string;
  from: Date;
  to: Date;
  storeId?: string;
}

const SURVEY_COLUMNS =
  'id, name, description, store_id, allow_repeat, allow_anonymous, reward_points, created_by, created_at';
const QUESTION_COLUMNS = 'id, survey_id, position, kind, prompt, options, required, scale_max';
const RESPONSE_COLUMNS =
  'id, survey_id, customer_id, link_token, store_id, nps_score, csat_score, answers, points_awarded, created_at';
/** date_trunc units; the caller's value is checked against this list before it reaches SQL. */
const INTERVALS = new Set(['day', 'week', 'month']);

@Injectable()
export class SurveysRepository {
  async insertSurvey(tx: Tx, row: SurveyRow): Promise<SurveyRow> {
    const inserted = await tx.one<SurveyRow>(
      `INSERT INTO surveys (tenant_id, id, name, description, store_id, allow_repeat, allow_anonymous, reward_points, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${SURVEY_COLUMNS}`,
      [
        tx.tenant,
        row.id,
        row.name,
        row.description,
        row.store_id,
        row.allow_repeat,
        row.allow_anonymous,
        row.reward_points,
        row.created_by,
        row.created_at,
      ],
    );
    return inserted!;
  }

  async insertQuestions(tx: Tx, rows: QuestionRow[]): Promise<QuestionRow[]> {
    return tx.query<QuestionRow>(
      `INSERT INTO survey_questions (tenant_id, id, survey_id, position, kind, prompt, options, required, scale_max)
       SELECT $1, q.id, q.survey_id, q.position, q.kind, q.prompt, ARRAY(SELECT jsonb_array_elements_text(q.options)), q.required, q.scale_max
         FROM jsonb_to_recordset($2::jsonb)
              AS q(id uuid, survey_id uuid, position smallint, kind text, prompt text, options jsonb, required boolean, scale_max smallint)
       RETURNING ${QUESTION_COLUMNS}`,
      [tx.tenant, JSON.stringify(rows)],
    );
  }

  async findSurvey(tx: Tx, id: string): Promise<SurveyRow | undefined> {
    return tx.one<SurveyRow>(
      `SELECT ${SURVEY_COLUMNS} FROM surveys WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id],
    );
  }

  async listSurveys(tx: Tx, keyset: Keyset | undefined, limit: number): Promise<SurveyRow[]> {
    const after = keysetCondition(keyset, 2);
    return tx.query<SurveyRow>(
      `SELECT ${SURVEY_COLUMNS} FROM surveys WHERE tenant_id = $1 AND ${after.sql} ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`,
      [tx.tenant, ...after.params],
    );
  }

  async questionsOf(tx: Tx, surveyIds: string[]): Promise<QuestionRow[]> {
    return tx.query<QuestionRow>(
      `SELECT ${QUESTION_COLUMNS} FROM survey_questions WHERE tenant_id = $1 AND survey_id = ANY($2::uuid[]) ORDER BY survey_id, position`,
      [tx.tenant, surveyIds],
    );
  }

  /** Undefined when the respondent already answered a survey that allows one response each. */
  async insertResponse(
    tx: Tx,
    row: ResponseRow & { dedupe_key: string | null },
  ): Promise<ResponseRow | undefined> {
    return tx.one<ResponseRow>(
      `INSERT INTO survey_responses (tenant_id, id, survey_id, customer_id, link_token, dedupe_key, store_id, nps_score, csat_score,
                                     answers, points_awarded, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (tenant_id, survey_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
       RETURNING ${RESPONSE_COLUMNS}`,
      [
        tx.tenant,
        row.id,
        row.survey_id,
        row.customer_id,
        row.link_token,
        row.dedupe_key,
        row.store_id,
        row.nps_score,
        row.csat_score,
        JSON.stringify(row.answers),
        row.points_awarded,
        row.created_at,
      ],
    );
  }

  async setPointsAwarded(tx: Tx, id: string, points: number): Promise<void> {
    await tx.query(
      `UPDATE survey_responses SET points_awarded = $3 WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id, points],
    );
  }

  /**
   * Counts per (store, period, NPS score, CSAT score). `period` is the start of the tenant-local
   * day/week/month; a survey has at most a handful of stores and score pairs per period.
   */
  async scoreCounts(
    tx: Tx,
    scope: Partial<ResultsScope> & { from: Date; to: Date },
    interval: string,
    timeZone: string,
  ): Promise<ScoreCountRow[]> {
    if (!INTERVALS.has(interval)) throw new Error(`interval ${interval} is not allowed`);
    const params: unknown[] = [tx.tenant, scope.from, scope.to, timeZone];
    const where = ['tenant_id = $1', 'created_at >= $2', 'created_at < $3'];
    if (scope.surveyId) {
      params.push(scope.surveyId);
      where.push(`survey_id = $${params.length}`);
    }
    if (scope.storeId) {
      params.push(scope.storeId);
      where.push(`store_id = $${params.length}`);
    }
    return tx.query<ScoreCountRow>(
      `SELECT store_id, to_char(date_trunc('${interval}', created_at AT TIME ZONE $4), 'YYYY-MM-DD') AS period,
              nps_score, csat_score, count(*)::int AS n
         FROM survey_responses
        WHERE ${where.join(' AND ')}
        GROUP BY 1, 2, 3, 4`,
      params,
    );
  }

  /**
   * Per question: responses per score (scored kinds) or per option (choice kinds), and a total
   * row (`total` true) with the responses that answered it at all.
   */
  async answerCounts(
    tx: Tx,
    scope: ResultsScope,
  ): Promise<Array<{ question_id: string; value: string | null; total: boolean; n: number }>> {
    const params: unknown[] = [tx.tenant, scope.surveyId, scope.from, scope.to];
    let store = '';
    if (scope.storeId) {
      params.push(scope.storeId);
      store = `AND r.store_id = $5`;
    }
    return tx.query(
      `SELECT a->>'questionId' AS question_id,
              COALESCE(a->>'score', c.choice) AS value,
              GROUPING(COALESCE(a->>'score', c.choice)) = 1 AS total,
              count(DISTINCT r.id)::int AS n
         FROM survey_responses r
         CROSS JOIN LATERAL jsonb_array_elements(r.answers) AS a
         LEFT JOIN LATERAL jsonb_array_elements_text(COALESCE(a->'choices', '[]'::jsonb)) AS c(choice) ON true
        WHERE r.tenant_id = $1 AND r.survey_id = $2 AND r.created_at >= $3 AND r.created_at < $4 ${store}
        GROUP BY GROUPING SETS ((1, 2), (1))`,
      params,
    );
  }

  /**
   * Erasure: responses stay as anonymous scores for the statistics; free-text answers are
   * scrubbed and the customer link is replaced by a key unique to the row.
   */
  async eraseCustomer(tx: Tx, customerId: string): Promise<void> {
    await tx.query(
      `UPDATE survey_responses
          SET customer_id = NULL,
              link_token = 'erased:' || id,
              dedupe_key = CASE WHEN dedupe_key IS NULL THEN NULL ELSE 'erased:' || id END,
              answers = (SELECT COALESCE(jsonb_agg(CASE WHEN a ? 'text' THEN a || '{"text": "[erased]"}'::jsonb ELSE a END), '[]'::jsonb)
                           FROM jsonb_array_elements(answers) AS a)
        WHERE tenant_id = $1 AND customer_id = $2`,
      [tx.tenant, customerId],
    );
  }

  /**
   * Re-points merged customers' responses to the survivor. Where that would give the survivor
   * two responses to a one-response survey, all rows stay, the oldest holds the survivor's key
   * and the others get a key unique to the row. Two steps, because a unique index is checked
   * row by row and a single UPDATE could collide with itself half-way.
   */
  async repointCustomer(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE survey_responses
          SET customer_id = $2, dedupe_key = CASE WHEN dedupe_key IS NULL THEN NULL ELSE 'merged:' || id END
        WHERE tenant_id = $1 AND (customer_id = ANY($3::uuid[]) OR customer_id = $2)`,
      [tx.tenant, survivorId, sourceIds],
    );
    await tx.query(
      `UPDATE survey_responses SET dedupe_key = 'c:' || $2
        WHERE tenant_id = $1 AND id IN (
          SELECT DISTINCT ON (survey_id) id FROM survey_responses
           WHERE tenant_id = $1 AND customer_id = $2 AND dedupe_key IS NOT NULL
           ORDER BY survey_id, created_at, id)`,
      [tx.tenant, survivorId],
    );
  }
}
