import { Field, InputType, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { MAX_LIMIT } from '../../common/pagination';
import {
  FEEDBACK_CHANNELS,
  FEEDBACK_SEVERITIES,
  FEEDBACK_STATUSES,
  FEEDBACK_TYPES,
} from '../feedback-workflow';

/** Free text is bounded so one request cannot store megabytes (the 10,000 characters). */
export const MAX_TEXT = 10_000;

@InputType('CreateFeedbackInput')
export class CreateFeedbackInput {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The customer it concerns, when known.',
    example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiProperty({ enum: FEEDBACK_TYPES, example: 'complaint' })
  @Field()
  @IsIn(FEEDBACK_TYPES)
  type: string;

  @ApiProperty({ enum: FEEDBACK_CHANNELS, example: 'store' })
  @Field()
  @IsIn(FEEDBACK_CHANNELS)
  channel: string;

  @ApiProperty({ maxLength: 200, example: '尺码不符 / wrong size delivered' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  subject: string;

  @ApiProperty({
    maxLength: MAX_TEXT,
    example: 'Bought a size M coat, the box contained an L. Wants an exchange.',
  })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TEXT)
  body: string;

  @ApiProperty({ maxLength: 64, example: 'store-001' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  storeId: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A transaction of the same customer.',
    example: '0192f0c1-8a00-7d4e-9a51-3d2f8e6b1a21',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsUUID()
  transactionId?: string;

  @ApiPropertyOptional({
    enum: FEEDBACK_SEVERITIES,
    default: 'normal',
    description: 'Sets `dueAt` from the tenant SLA.',
    example: 'high',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(FEEDBACK_SEVERITIES)
  severity?: string;
}

@InputType('TransitionFeedbackInput')
export class TransitionFeedbackInput {
  @ApiProperty({ enum: FEEDBACK_STATUSES, example: 'resolved' })
  @Field()
  @IsIn(FEEDBACK_STATUSES)
  to: string;

  @ApiPropertyOptional({ maxLength: MAX_TEXT, example: 'Called the customer, exchange arranged.' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT)
  note?: string;

  @ApiPropertyOptional({
    maxLength: MAX_TEXT,
    description: 'Required when `to` is `resolved`.',
    example: 'Exchanged for size M; 50-point goodwill credit.',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TEXT)
  resolution?: string;

  @ApiPropertyOptional({
    maxLength: 64,
    description: 'Root-cause category; required when `to` is `resolved`.',
    example: 'product_quality',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  category?: string;
}

@InputType('AssignFeedbackInput')
export class AssignFeedbackInput {
  @ApiProperty({
    nullable: true,
    maxLength: 128,
    description: 'Staff id or name; null unassigns.',
    example: 'staff-li-na',
  })
  @Field(() => String, { nullable: true })
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  assignee: string | null;
}

@InputType('FeedbackNoteInput')
export class FeedbackNoteInput {
  @ApiProperty({ maxLength: MAX_TEXT, example: 'Customer prefers a call after 18:00.' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TEXT)
  body: string;
}

@InputType('CompleteFeedbackFollowUpInput')
export class CompleteFeedbackFollowUpInput {
  @ApiProperty({
    maxLength: 5000,
    description: 'What the customer said; also logged as an interaction.',
    example: 'Happy with the exchange.',
  })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(5000)
  outcome: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 5,
    description: 'Satisfaction score the customer gave (CSAT 1–5).',
    example: 4,
  })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  csat?: number;

  @ApiPropertyOptional({
    enum: ['call', 'sms', 'email', 'wechat', 'visit', 'note'],
    default: 'call',
    example: 'call',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(['call', 'sms', 'email', 'wechat', 'visit', 'note'])
  type?: string;
}

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

/** Query of `GET /v1/feedback`, and the same filter in GraphQL. */
@InputType('FeedbackFilter')
export class ListFeedbackQuery {
  @ApiPropertyOptional({ enum: FEEDBACK_STATUSES })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(FEEDBACK_STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: FEEDBACK_TYPES })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(FEEDBACK_TYPES)
  type?: string;

  @ApiPropertyOptional({ enum: FEEDBACK_SEVERITIES })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(FEEDBACK_SEVERITIES)
  severity?: string;

  @ApiPropertyOptional({ example: 'store-001' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  storeId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ example: 'staff-li-na' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  assignee?: string;

  @ApiPropertyOptional({
    type: Boolean,
    description: 'true: open items past `dueAt`; false: the others.',
    example: true,
  })
  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: 50, example: 50 })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's `nextCursor`." })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}
