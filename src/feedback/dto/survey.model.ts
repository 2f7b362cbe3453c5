import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { QUESTION_KINDS } from './survey.input';

@ObjectType('SurveyQuestion')
export class SurveyQuestionModel {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ example: 1 })
  @Field(() => Int)
  position: number;

  @ApiProperty({ enum: QUESTION_KINDS, example: 'nps' })
  @Field()
  kind: string;

  @ApiProperty({ example: 'How likely are you to recommend us to a friend?' })
  @Field()
  prompt: string;

  @ApiProperty({ type: [String], example: [] })
  @Field(() => [String])
  options: string[];

  @ApiProperty({ example: true })
  @Field()
  required: boolean;

  @ApiPropertyOptional({ nullable: true, example: null })
  @Field(() => Int, { nullable: true })
  scaleMax: number | null;
}

@ObjectType('Survey')
export class SurveyModel {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ example: 'After-purchase satisfaction' })
  @Field()
  name: string;

  @ApiPropertyOptional({ nullable: true })
  @Field(() => String, { nullable: true })
  description: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'store-001' })
  @Field(() => String, { nullable: true })
  storeId: string | null;

  @ApiProperty({ example: false })
  @Field()
  allowRepeat: boolean;

  @ApiProperty({ example: true })
  @Field()
  allowAnonymous: boolean;

  @ApiProperty({ example: 20 })
  @Field(() => Int)
  rewardPoints: number;

  @ApiProperty({ type: [SurveyQuestionModel] })
  @Field(() => [SurveyQuestionModel])
  questions: SurveyQuestionModel[];

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  @Field()
  createdAt: string;
}

@ObjectType('SurveyPage')
export class SurveyPageModel {
  @ApiProperty({ type: [SurveyModel] })
  @Field(() => [SurveyModel])
  items: SurveyModel[];

  @ApiPropertyOptional({ nullable: true, example: null })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}

@ObjectType('SurveyAnswer')
export class SurveyAnswerModel {
  @ApiProperty({ format: 'uuid' })
  @Field()
  questionId: string;

  @ApiPropertyOptional({ nullable: true, example: 9 })
  @Field(() => Int, { nullable: true })
  score: number | null;

  @ApiPropertyOptional({ type: [String], nullable: true, example: null })
  @Field(() => [String], { nullable: true })
  choices: string[] | null;

  @ApiPropertyOptional({ nullable: true, example: null })
  @Field(() => String, { nullable: true })
  text: string | null;
}

@ObjectType('SurveyResponse')
export class SurveyResponseModel {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ format: 'uuid' })
  @Field()
  surveyId: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @Field(() => String, { nullable: true })
  customerId: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'rcpt-20261123-0042' })
  @Field(() => String, { nullable: true })
  linkToken: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'store-001' })
  @Field(() => String, { nullable: true })
  storeId: string | null;

  @ApiPropertyOptional({ nullable: true, example: 9 })
  @Field(() => Int, { nullable: true })
  npsScore: number | null;

  @ApiPropertyOptional({ nullable: true, example: 5 })
  @Field(() => Int, { nullable: true })
  csatScore: number | null;

  @ApiProperty({ type: [SurveyAnswerModel] })
  @Field(() => [SurveyAnswerModel])
  answers: SurveyAnswerModel[];

  @ApiProperty({ description: 'Points credited for this response.', example: 20 })
  @Field(() => Int)
  pointsAwarded: number;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  @Field()
  createdAt: string;
}

@ObjectType('SatisfactionNps')
export class NpsModel {
  @ApiPropertyOptional({
    nullable: true,
    description: '%promoters − %detractors (−100…100).',
    example: 30,
  })
  @Field(() => Float, { nullable: true })
  score: number | null;

  @ApiProperty({ example: 10 })
  @Field(() => Int)
  responses: number;

  @ApiProperty({ description: 'Scores 9–10.', example: 5 })
  @Field(() => Int)
  promoters: number;

  @ApiProperty({ description: 'Scores 7–8.', example: 3 })
  @Field(() => Int)
  passives: number;

  @ApiProperty({ description: 'Scores 0–6.', example: 2 })
  @Field(() => Int)
  detractors: number;

  @ApiProperty({
    type: [Number],
    description: 'Count per score 0–10.',
    example: [1, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3],
  })
  @Field(() => [Int])
  distribution: number[];
}

@ObjectType('SatisfactionCsat')
export class CsatModel {
  @ApiPropertyOptional({ nullable: true, description: 'Mean score 1–5.', example: 4.2 })
  @Field(() => Float, { nullable: true })
  mean: number | null;

  @ApiProperty({ example: 10 })
  @Field(() => Int)
  responses: number;

  @ApiPropertyOptional({ nullable: true, description: 'Share of 4 and 5, percent.', example: 80 })
  @Field(() => Float, { nullable: true })
  satisfiedPercent: number | null;

  @ApiProperty({ type: [Number], description: 'Count per score 1–5.', example: [0, 1, 1, 3, 5] })
  @Field(() => [Int])
  distribution: number[];
}

@ObjectType('SatisfactionGroup')
export class SatisfactionGroupModel {
  @ApiProperty({
    description:
      'Store id (byStore; `(none)` for responses without one) or period start YYYY-MM-DD (byPeriod).',
    example: 'store-001',
  })
  @Field()
  key: string;

  @ApiProperty({ example: 4 })
  @Field(() => Int)
  responses: number;

  @ApiProperty({ type: NpsModel })
  @Field(() => NpsModel)
  nps: NpsModel;

  @ApiProperty({ type: CsatModel })
  @Field(() => CsatModel)
  csat: CsatModel;
}

@ObjectType('SurveyOptionCount')
export class OptionCountModel {
  @ApiProperty({ description: 'Option text or score.', example: 'Service' })
  @Field()
  value: string;

  @ApiProperty({ example: 3 })
  @Field(() => Int)
  count: number;
}

@ObjectType('SurveyQuestionResult')
export class QuestionResultModel {
  @ApiProperty({ format: 'uuid' })
  @Field()
  questionId: string;

  @ApiProperty({ enum: QUESTION_KINDS, example: 'rating' })
  @Field()
  kind: string;

  @ApiProperty({ example: 'How was the fitting room?' })
  @Field()
  prompt: string;

  @ApiProperty({ example: 7 })
  @Field(() => Int)
  answered: number;

  @ApiPropertyOptional({
    nullable: true,
    description: 'Mean score of scored questions.',
    example: 4.1,
  })
  @Field(() => Float, { nullable: true })
  mean: number | null;

  @ApiProperty({
    type: [OptionCountModel],
    description: 'Counts per option (choice) or per score (nps, csat, rating).',
  })
  @Field(() => [OptionCountModel])
  distribution: OptionCountModel[];
}

@ObjectType('SurveyResults')
export class SurveyResultsModel {
  @ApiProperty({ format: 'uuid' })
  @Field()
  surveyId: string;

  @ApiProperty({ example: '2026-11-01T00:00:00.000Z' })
  @Field()
  from: string;

  @ApiProperty({ example: '2026-12-01T00:00:00.000Z' })
  @Field()
  to: string;

  @ApiProperty({ example: 10 })
  @Field(() => Int)
  responses: number;

  @ApiProperty({ type: NpsModel })
  @Field(() => NpsModel)
  nps: NpsModel;

  @ApiProperty({ type: CsatModel })
  @Field(() => CsatModel)
  csat: CsatModel;

  @ApiProperty({ type: [SatisfactionGroupModel] })
  @Field(() => [SatisfactionGroupModel])
  byStore: SatisfactionGroupModel[];

  @ApiProperty({ type: [SatisfactionGroupModel] })
  @Field(() => [SatisfactionGroupModel])
  byPeriod: SatisfactionGroupModel[];

  @ApiProperty({ type: [QuestionResultModel] })
  @Field(() => [QuestionResultModel])
  questions: QuestionResultModel[];
}
