import { checkAnswers, checkQuestions, QuestionShape } from './survey-rules';

const q = (
  id: string,
  kind: QuestionShape['kind'],
  extra: Partial<QuestionShape> = {},
): QuestionShape => ({
  id,
  kind,
  options: [],
  required: true,
  scale_max: null,
  ...extra,
});

describe('survey rules', () => {
  const questions = [
    q('n', 'nps'),
    q('c', 'csat'),
    q('s', 'single_choice', { options: ['Price', 'Service'] }),
    q('m', 'multi_choice', { options: ['A', 'B', 'C'], required: false }),
    q('t', 'text', { required: false }),
    q('r', 'rating', { scale_max: 10, required: false }),
  ];

  it('accepts a complete response and pulls out NPS and CSAT', () => {
    const result = checkAnswers(questions, [
      { questionId: 'n', score: 10 },
      { questionId: 'c', score: 1 },
      { questionId: 's', choices: ['Service'] },
      { questionId: 'm', choices: ['A', 'C'] },
      { questionId: 't', text: 'great' },
      { questionId: 'r', score: 10 },
    ]);
    expect(result.errors).toEqual([]);
    expect(result).toMatchObject({ nps: 10, csat: 1 });
    expect(result.answers).toHaveLength(6);
  });

  it('refuses out-of-range scores: NPS 11, CSAT 0, rating above its scale', () => {
    const result = checkAnswers(questions, [
      { questionId: 'n', score: 11 },
      { questionId: 'c', score: 0 },
      { questionId: 's', choices: ['Price'] },
      { questionId: 'r', score: 11 },
    ]);
    expect(result.errors.map((e) => `${e.field}:${e.code}`)).toEqual([
      'answers[0].score:out_of_range',
      'answers[1].score:out_of_range',
      'answers[3].score:out_of_range',
    ]);
  });

  it('refuses unknown questions, unknown options, wrong shapes, duplicates and missing required answers', () => {
    const result = checkAnswers(questions, [
      { questionId: 'x', score: 1 },
      { questionId: 'n', text: 'ten' },
      { questionId: 's', choices: ['Price', 'Service'] },
      { questionId: 'm', choices: ['Z'] },
      { questionId: 's', choices: ['Price'] },
    ]);
    expect(result.errors.map((e) => `${e.field}:${e.code}`)).toEqual([
      'answers[0].questionId:unknown_question',
      'answers[1]:invalid_answer',
      'answers[2].choices:invalid_answer',
      'answers[3].choices:unknown_option',
      'answers[4].questionId:duplicate',
      'answers:missing_answer',
    ]);
  });

  it('checks question definitions: options by kind, one NPS and one CSAT', () => {
    expect(
      checkQuestions([
        { kind: 'nps', prompt: 'p' },
        { kind: 'single_choice', prompt: 'p', options: ['a', 'b'] },
      ]),
    ).toEqual([]);
    const errors = checkQuestions([
      { kind: 'single_choice', prompt: 'p', options: ['a'] },
      { kind: 'multi_choice', prompt: 'p', options: ['a', 'a'] },
      { kind: 'text', prompt: 'p', options: ['a', 'b'] },
      { kind: 'nps', prompt: 'p', scaleMax: 5 },
      { kind: 'nps', prompt: 'p' },
    ]);
    expect(errors.map((e) => `${e.field}:${e.code}`)).toEqual([
      'questions[0].options:too_few',
      'questions[1].options:duplicate',
      'questions[2].options:not_allowed',
      'questions[3].scaleMax:not_allowed',
      'questions[4].kind:duplicate',
    ]);
  });
});
