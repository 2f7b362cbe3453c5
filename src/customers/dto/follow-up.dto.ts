import { ArgsType, Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

export const INTERACTION_TYPES = ['call', 'sms', 'email', 'wechat', 'visit', 'note'] as const;
export const FOLLOW_UP_STATUSES = ['open', 'done', 'cancelled'] as const;

@InputType('LogInteractionInput')
export class LogInteractionInput {
  @ApiProperty({ enum: INTERACTION_TYPES, example: 'call' })
  @Field(() => String)
  @IsIn(INTERACTION_TYPES)
  type: (typeof INTERACTION_TYPES)[number];

  @ApiProperty({
    example: 'Called about the autumn collection; prefers WeChat messages.',
    maxLength: 5000,
  })
  @Field()
  @IsString()
  @MinLength(1)
  @MaxLength(5000)
  summary: string;

  @ApiPropertyOptional({ example: 'interested', maxLength: 1000 })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  outcome?: string;

  @ApiPropertyOptional({
    description: 'Staff member; defaults to the calling staff user.',
    example: 'staff-42',
    maxLength: 64,
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  staffId?: string;

  @ApiPropertyOptional({
    description: 'When it happened; defaults to now.',
    example: '2026-11-23T08:00:00+08:00',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  occurredAt?: string;
}

@InputType('CreateFollowUpInput')
export class CreateFollowUpInput {
  @ApiProperty({ example: 'Confirm size preferences before the winter sale', maxLength: 500 })
  @Field()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;

  @ApiProperty({ example: '2026-11-30T09:00:00+08:00' })
  @Field()
  @IsISO8601({ strict: true })
  dueAt: string;

  @ApiPropertyOptional({
    description: 'Staff member responsible.',
    example: 'staff-42',
    maxLength: 64,
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  assignee?: string;
}

@InputType('CompleteFollowUpInput')
export class CompleteFollowUpInput {
  @ApiProperty({
    description: 'What came of it; also recorded as an interaction.',
    example: 'Reached; updated sizes',
    maxLength: 5000,
  })
  @Field()
  @IsString()
  @MinLength(1)
  @MaxLength(5000)
  outcome: string;

  @ApiPropertyOptional({
    enum: INTERACTION_TYPES,
    description: 'How the customer was contacted (default call).',
    example: 'call',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(INTERACTION_TYPES)
  type?: (typeof INTERACTION_TYPES)[number];
}

@ArgsType()
export class FollowUpQuery {
  @ApiPropertyOptional({ example: 'staff-42' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  assignee?: string;

  @ApiPropertyOptional({ enum: FOLLOW_UP_STATUSES, example: 'open' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(FOLLOW_UP_STATUSES)
  status?: string;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00+08:00' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  dueBefore?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's `nextCursor`." })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

@ObjectType('Interaction')
export class InteractionModel {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ format: 'uuid' })
  @Field()
  customerId: string;

  @ApiProperty({ enum: INTERACTION_TYPES, example: 'call' })
  @Field()
  type: string;

  @ApiProperty({ example: 'Called about the autumn collection.' })
  @Field()
  summary: string;

  @ApiPropertyOptional({ nullable: true, example: 'interested' })
  @Field(() => String, { nullable: true })
  outcome: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'staff-42' })
  @Field(() => String, { nullable: true })
  staffId: string | null;

  @ApiPropertyOptional({
    nullable: true,
    format: 'uuid',
    description: 'The follow-up this interaction completed.',
  })
  @Field(() => String, { nullable: true })
  followUpId: string | null;

  @ApiProperty({ example: '2026-11-23T00:00:00.000Z' })
  @Field()
  occurredAt: string;

  @ApiProperty({ example: '2026-11-23T00:00:00.000Z' })
  @Field()
  createdAt: string;
}

@ObjectType('InteractionPage')
export class InteractionPageModel {
  @ApiProperty({ type: [InteractionModel] })
  @Field(() => [InteractionModel])
  items: InteractionModel[];

  @ApiPropertyOptional({ nullable: true })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}

@ObjectType('FollowUp')
export class FollowUpModel {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ format: 'uuid' })
  @Field()
  customerId: string;

  @ApiProperty({ example: 'Profile not confirmed for 180 days' })
  @Field()
  reason: string;

  @ApiProperty({ example: '2026-11-30T01:00:00.000Z' })
  @Field()
  dueAt: string;

  @ApiPropertyOptional({ nullable: true, example: 'staff-42' })
  @Field(() => String, { nullable: true })
  assignee: string | null;

  @ApiProperty({ enum: FOLLOW_UP_STATUSES, example: 'open' })
  @Field()
  status: string;

  @ApiProperty({
    description:
      '`manual`, `rule:profile_stale`, `rule:welcome_call`, or the creating feature (e.g. `feedback`).',
    example: 'manual',
  })
  @Field()
  source: string;

  @ApiPropertyOptional({ nullable: true, example: 'Reached; updated sizes' })
  @Field(() => String, { nullable: true })
  outcome: string | null;

  @ApiPropertyOptional({ nullable: true })
  @Field(() => String, { nullable: true })
  completedAt: string | null;

  @ApiPropertyOptional({ nullable: true })
  @Field(() => String, { nullable: true })
  completedBy: string | null;

  @ApiProperty({ example: '2026-11-23T00:00:00.000Z' })
  @Field()
  createdAt: string;
}

@ObjectType('FollowUpPage')
export class FollowUpPageModel {
  @ApiProperty({ type: [FollowUpModel] })
  @Field(() => [FollowUpModel])
  items: FollowUpModel[];

  @ApiPropertyOptional({ nullable: true })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}
