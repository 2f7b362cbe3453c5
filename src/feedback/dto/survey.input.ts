import { Field, InputType, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_TEXT } from './feedback.input';

export const QUESTION_KINDS = [
  'nps',
  'csat',
  'single_choice',
  'multi_choice',
  'text',
  'rating',
] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];
export const RESULT_INTERVALS = ['day', 'week', 'month'] as const;

@InputType('SurveyQuestionInput')
export class SurveyQuestionInput {
  @ApiProperty({ enum: QUESTION_KINDS, example: 'nps' })
  @Field()
  @IsIn(QUESTION_KINDS)
  kind: string;

  @ApiProperty({ maxLength: 500, example: 'How likely are you to recommend us to a friend?' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  prompt: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'Choices of single_choice / multi_choice questions (2–20).',
    example: ['Price', 'Service', 'Fit'],
  })
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  options?: string[];

  @ApiPropertyOptional({ default: true, example: true })
  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  required?: boolean;

  @ApiPropertyOptional({
    minimum: 2,
    maximum: 10,
    default: 5,
    description: 'Top of the scale of a rating question (1…scaleMax).',
    example: 5,
  })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(10)
  scaleMax?: number;
}

@InputType('CreateSurveyInput')
export class CreateSurveyInput {
  @ApiProperty({ maxLength: 200, example: 'After-purchase satisfaction, winter 2026' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ maxLength: 2000, example: 'Sent by SMS a day after a purchase.' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({
    maxLength: 64,
    description: 'Default store of responses that name none.',
    example: 'store-001',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  storeId?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Allow more than one response per customer (or link token).',
    example: false,
  })
  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  allowRepeat?: boolean;

  @ApiPropertyOptional({
    default: true,
    description: 'Accept responses without a customer, identified by a link token.',
    example: true,
  })
  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  allowAnonymous?: boolean;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 100000,
    default: 0,
    description: 'Points credited to a known customer per response (reason `survey_reward`).',
    example: 20,
  })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  rewardPoints?: number;

  @ApiProperty({ type: [SurveyQuestionInput], minItems: 1, maxItems: 50 })
  @Field(() => [SurveyQuestionInput])
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => SurveyQuestionInput)
  questions: SurveyQuestionInput[];
}

@InputType('SurveyAnswerInput')
export class SurveyAnswerInput {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-aa00-7c4e-9a51-3d2f8e6b1a23' })
  @Field()
  @IsUUID()
  questionId: string;

  @ApiPropertyOptional({ description: 'nps 0–10, csat 1–5, rating 1…scaleMax.', example: 9 })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  score?: number;

  @ApiPropertyOptional({
    type: [String],
    description: 'single_choice: one option; multi_choice: one or more.',
    example: ['Service'],
  })
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  choices?: string[];

  @ApiPropertyOptional({
    maxLength: MAX_TEXT,
    example: 'The fitting room staff were very helpful.',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT)
  text?: string;
}

@InputType('SubmitSurveyResponseInput')
export class SubmitSurveyResponseInput {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The responding customer; omit for an anonymous response.',
    example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({
    maxLength: 200,
    description: 'Id of the survey link (QR code, SMS link) an anonymous respondent came from.',
    example: 'rcpt-20261123-0042',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  linkToken?: string;

  @ApiPropertyOptional({ maxLength: 64, example: 'store-001' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  storeId?: string;

  @ApiProperty({ type: [SurveyAnswerInput], minItems: 1, maxItems: 50 })
  @Field(() => [SurveyAnswerInput])
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => SurveyAnswerInput)
  answers: SurveyAnswerInput[];
}

/** Period and store of survey results and the satisfaction report. */
@InputType('SatisfactionPeriodInput')
export class SatisfactionQuery {
  @ApiPropertyOptional({
    description: 'Start (inclusive), RFC 3339 or YYYY-MM-DD; default 30 days before `to`.',
    example: '2026-11-01T00:00:00+08:00',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional({
    description: 'End (exclusive); default now.',
    example: '2026-12-01T00:00:00+08:00',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsISO8601()
  to?: string;

  @ApiPropertyOptional({ example: 'store-001' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  storeId?: string;
}

@InputType('SurveyResultsInput')
export class SurveyResultsQuery extends SatisfactionQuery {
  @ApiPropertyOptional({
    enum: RESULT_INTERVALS,
    default: 'month',
    description: 'Period buckets (tenant time zone) of `byPeriod`.',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(RESULT_INTERVALS)
  interval?: string;
}
