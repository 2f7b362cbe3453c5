import type { FieldError } from '../common/errors/domain-error';
import type { QuestionKind, SurveyAnswerInput, SurveyQuestionInput } from './dto/survey.input';

/** The part of a stored question the answer rules need. */
export interface QuestionShape {
  id: string;
  kind: QuestionKind;
  options: string[];
  required: boolean;
  scale_max: number | null;
}

export interface StoredAnswer {
  questionId: string;
  score?: number;
  choices?: string[];
  text?: string;
}

const CHOICE_KINDS: readonly string[] = ['single_choice', 'multi_choice'];
const SCORED_KINDS: readonly string[] = ['nps', 'csat', 'rating'];

/** Score range per kind: NPS 0–10, CSAT 1–5, rating 1…scaleMax (default 5). */
export function scoreRange(
  question: Pick<QuestionShape, 'kind' | 'scale_max'>,
): [number, number] | undefined {
  if (question.kind === 'nps') return [0, 10];
  if (question.kind === 'csat') return [1, 5];
  if (question.kind === 'rating') return [1, question.scale_max ?? 5];
  return undefined;
}

/** Checks a survey definition beyond what the field decorators can: options and scales by kind. */
export function checkQuestions(questions: SurveyQuestionInput[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  questions.forEach((question, index) => {
    const field = `questions[${index}]`;
    const options = question.options ?? [];
    if (CHOICE_KINDS.includes(question.kind)) {
      if (options.length < 2)
        errors.push({
          field: `${field}.options`,
          code: 'too_few',
          message: `${question.kind} needs at least two options`,
        });
      if (new Set(options).size !== options.length)
        errors.push({
          field: `${field}.options`,
          code: 'duplicate',
          message: 'options must be unique',
        });
    } else if (question.options !== undefined) {
      errors.push({
        field: `${field}.options`,
        code: 'not_allowed',
        message: `${question.kind} questions take no options`,
      });
    }
    if (question.scaleMax !== undefined && question.kind !== 'rating') {
      errors.push({
        field: `${field}.scaleMax`,
        code: 'not_allowed',
        message: 'only rating questions take scaleMax',
      });
    }
    // One NPS and one CSAT question per survey, so each response has one score of each.
    if (question.kind === 'nps' || question.kind === 'csat') {
      if (seen.has(question.kind))
        errors.push({
          field: `${field}.kind`,
          code: 'duplicate',
          message: `a survey has at most one ${question.kind} question`,
        });
      seen.set(question.kind, index);
    }
  });
  return errors;
}

/**
 * Checks answers against the survey's questions and returns them normalised with the NPS and
 * CSAT scores pulled out. Any error means nothing is stored.
 */
export function checkAnswers(
  questions: QuestionShape[],
  answers: SurveyAnswerInput[],
): { errors: FieldError[]; answers: StoredAnswer[]; nps: number | null; csat: number | null } {
  const errors: FieldError[] = [];
  const byId = new Map(questions.map((q) => [q.id, q]));
  const answered = new Set<string>();
  const stored: StoredAnswer[] = [];
  let nps: number | null = null;
  let csat: number | null = null;

  answers.forEach((answer, index) => {
    const field = `answers[${index}]`;
    const question = byId.get(answer.questionId);
    if (!question) {
      errors.push({
        field: `${field}.questionId`,
        code: 'unknown_question',
        message: 'questionId is not a question of this survey',
      });
      return;
    }
    if (answered.has(question.id)) {
      errors.push({
        field: `${field}.questionId`,
        code: 'duplicate',
        message: 'each question is answered at most once',
      });
      return;
    }
    answered.add(question.id);
    const wrongShape = (allowed: string) =>
      errors.push({
        field,
        code: 'invalid_answer',
        message: `a ${question.kind} question is answered with ${allowed} only`,
      });

    if (SCORED_KINDS.includes(question.kind)) {
      if (answer.score === undefined || answer.choices !== undefined || answer.text !== undefined)
        return void wrongShape('`score`');
      const [min, max] = scoreRange(question)!;
      if (answer.score < min || answer.score > max) {
        errors.push({
          field: `${field}.score`,
          code: 'out_of_range',
          message: `${question.kind} score must be between ${min} and ${max}`,
        });
        return;
      }
      if (question.kind === 'nps') nps = answer.score;
      if (question.kind === 'csat') csat = answer.score;
      stored.push({ questionId: question.id, score: answer.score });
    } else if (CHOICE_KINDS.includes(question.kind)) {
      const choices = answer.choices;
      if (!choices || answer.score !== undefined || answer.text !== undefined)
        return void wrongShape('`choices`');
      const unknown = choices.filter((c) => !question.options.includes(c));
      if (unknown.length) {
        errors.push({
          field: `${field}.choices`,
          code: 'unknown_option',
          message: `not an option of the question: ${unknown.join(', ')}`,
        });
      } else if (
        question.kind === 'single_choice'
          ? choices.length !== 1
          : choices.length < 1 || new Set(choices).size !== choices.length
      ) {
        errors.push({
          field: `${field}.choices`,
          code: 'invalid_answer',
          message:
            question.kind === 'single_choice'
              ? 'pick exactly one option'
              : 'pick one or more distinct options',
        });
      } else {
        stored.push({ questionId: question.id, choices });
      }
    } else {
      if (answer.text === undefined || answer.score !== undefined || answer.choices !== undefined)
        return void wrongShape('`text`');
      stored.push({ questionId: question.id, text: answer.text });
    }
  });

  for (const question of questions) {
    if (question.required && !answered.has(question.id)) {
      errors.push({
        field: 'answers',
        code: 'missing_answer',
        message: `question ${question.id} is required`,
      });
    }
  }
  return { errors, answers: stored, nps, csat };
}
