import type {
  CsatModel,
  NpsModel,
  OptionCountModel,
  QuestionResultModel,
  SatisfactionGroupModel,
  SurveyModel,
  SurveyResponseModel,
} from './dto/survey.model';
import { csatFromCounts, npsFromCounts } from './satisfaction-math';
import { scoreRange } from './survey-rules';
import type { QuestionRow, ResponseRow, ScoreCountRow, SurveyRow } from './surveys.repository';

export function toSurveyModel(row: SurveyRow, questions: QuestionRow[]): SurveyModel {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    storeId: row.store_id,
    allowRepeat: row.allow_repeat,
    allowAnonymous: row.allow_anonymous,
    rewardPoints: row.reward_points,
    questions: questions.map((q) => ({
      id: q.id,
      position: q.position,
      kind: q.kind,
      prompt: q.prompt,
      options: q.options,
      required: q.required,
      scaleMax: q.kind === 'rating' ? (q.scale_max ?? 5) : null,
    })),
    createdAt: row.created_at.toISOString(),
  };
}

export function toResponseModel(row: ResponseRow): SurveyResponseModel {
  return {
    id: row.id,
    surveyId: row.survey_id,
    customerId: row.customer_id,
    linkToken: row.link_token,
    storeId: row.store_id,
    npsScore: row.nps_score,
    csatScore: row.csat_score,
    answers: row.answers.map((a) => ({
      questionId: a.questionId,
      score: a.score ?? null,
      choices: a.choices ?? null,
      text: a.text ?? null,
    })),
    pointsAwarded: row.points_awarded,
    createdAt: row.created_at.toISOString(),
  };
}

/** Sums score counts into NPS and CSAT summaries (responses without the question are skipped). */
export function summarise(rows: ScoreCountRow[]): {
  responses: number;
  nps: NpsModel;
  csat: CsatModel;
} {
  const nps = new Map<number, number>();
  const csat = new Map<number, number>();
  let responses = 0;
  for (const row of rows) {
    responses += row.n;
    if (row.nps_score !== null) nps.set(row.nps_score, (nps.get(row.nps_score) ?? 0) + row.n);
    if (row.csat_score !== null) csat.set(row.csat_score, (csat.get(row.csat_score) ?? 0) + row.n);
  }
  return { responses, nps: npsFromCounts(nps), csat: csatFromCounts(csat) };
}

export function groupBy(
  rows: ScoreCountRow[],
  keyOf: (row: ScoreCountRow) => string,
): SatisfactionGroupModel[] {
  const groups = new Map<string, ScoreCountRow[]>();
  for (const row of rows) {
    const key = keyOf(row);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, group]) => ({ key, ...summarise(group) }));
}

export function toQuestionResults(
  questions: QuestionRow[],
  counts: Array<{ question_id: string; value: string | null; total: boolean; n: number }>,
): QuestionResultModel[] {
  return questions.map((question) => {
    const mine = counts.filter((c) => c.question_id === question.id);
    const answered = mine.find((c) => c.total)?.n ?? 0;
    const countOf = (value: string) => mine.find((c) => !c.total && c.value === value)?.n ?? 0;
    const range = scoreRange(question);
    let distribution: OptionCountModel[] = [];
    let mean: number | null = null;
    if (range) {
      distribution = Array.from({ length: range[1] - range[0] + 1 }, (_, i) =>
        String(range[0] + i),
      ).map((value) => ({ value, count: countOf(value) }));
      const scored = distribution.reduce((sum, d) => sum + d.count, 0);
      mean = scored
        ? Math.round(
            (distribution.reduce((sum, d) => sum + Number(d.value) * d.count, 0) / scored) * 100,
          ) / 100
        : null;
    } else if (question.options.length) {
      distribution = question.options.map((value) => ({ value, count: countOf(value) }));
    }
    return {
      questionId: question.id,
      kind: question.kind,
      prompt: question.prompt,
      answered,
      mean,
      distribution,
    };
  });
}
