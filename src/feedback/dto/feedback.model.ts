import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  FEEDBACK_CHANNELS,
  FEEDBACK_SEVERITIES,
  FEEDBACK_STATUSES,
  FEEDBACK_TYPES,
} from '../feedback-workflow';

@ObjectType('FeedbackTransition')
export class FeedbackTransitionModel {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ enum: FEEDBACK_STATUSES, example: 'in_progress' })
  @Field()
  from: string;

  @ApiProperty({ enum: FEEDBACK_STATUSES, example: 'resolved' })
  @Field()
  to: string;

  @ApiProperty({
    description: 'Who made the change (`client:<id>` or `staff:<id>`).',
    example: 'staff:0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20',
  })
  @Field()
  actor: string;

  @ApiPropertyOptional({ nullable: true, example: 'Exchange arranged.' })
  @Field(() => String, { nullable: true })
  note: string | null;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  @Field()
  at: string;
}

@ObjectType('Feedback')
export class FeedbackModel {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-9b00-7c4e-9a51-3d2f8e6b1a22' })
  @Field(() => ID)
  id: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @Field(() => String, { nullable: true })
  customerId: string | null;

  @ApiProperty({ enum: FEEDBACK_TYPES, example: 'complaint' })
  @Field()
  type: string;

  @ApiProperty({ enum: FEEDBACK_CHANNELS, example: 'store' })
  @Field()
  channel: string;

  @ApiProperty({ enum: FEEDBACK_SEVERITIES, example: 'high' })
  @Field()
  severity: string;

  @ApiProperty({ enum: FEEDBACK_STATUSES, example: 'received' })
  @Field()
  status: string;

  @ApiProperty({
    enum: FEEDBACK_STATUSES,
    isArray: true,
    description: 'Statuses this item may move to next.',
    example: ['acknowledged'],
  })
  @Field(() => [String])
  allowedTransitions: string[];

  @ApiProperty({ example: 'Wrong size delivered' })
  @Field()
  subject: string;

  @ApiProperty({ example: 'Bought a size M coat, the box contained an L.' })
  @Field()
  body: string;

  @ApiProperty({ example: 'store-001' })
  @Field()
  storeId: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @Field(() => String, { nullable: true })
  transactionId: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'staff-li-na' })
  @Field(() => String, { nullable: true })
  assignee: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'product_quality' })
  @Field(() => String, { nullable: true })
  category: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'Exchanged for size M.' })
  @Field(() => String, { nullable: true })
  resolution: string | null;

  @ApiProperty({
    description: 'Resolve-by time from the tenant SLA for the severity.',
    example: '2026-11-24T08:00:00.000Z',
  })
  @Field()
  dueAt: string;

  @ApiProperty({ description: 'Still open and past `dueAt`.', example: false })
  @Field()
  overdue: boolean;

  @ApiPropertyOptional({
    nullable: true,
    description: 'First transition out of `received`.',
    example: '2026-11-23T08:20:00.000Z',
  })
  @Field(() => String, { nullable: true })
  firstResponseAt: string | null;

  @ApiPropertyOptional({ nullable: true, example: null })
  @Field(() => String, { nullable: true })
  resolvedAt: string | null;

  @ApiPropertyOptional({ nullable: true, example: null })
  @Field(() => String, { nullable: true })
  closedAt: string | null;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description: 'The satisfaction call-back (回访) scheduled when the complaint was resolved.',
  })
  @Field(() => String, { nullable: true })
  followUpId: string | null;

  @ApiPropertyOptional({
    nullable: true,
    description: 'CSAT (1–5) the customer gave on the call-back.',
    example: 4,
  })
  @Field(() => Int, { nullable: true })
  followUpCsat: number | null;

  @ApiProperty({ example: 'client:kc_3f9a1c0e5b7d2a4c6e8f0a1b' })
  @Field()
  createdBy: string;

  @ApiProperty({ description: 'Increases with every change.', example: 1 })
  @Field(() => Int)
  version: number;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  @Field()
  createdAt: string;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  @Field()
  updatedAt: string;

  @ApiPropertyOptional({
    type: [FeedbackTransitionModel],
    description: 'Workflow history, oldest first (single-item reads only).',
  })
  @Field(() => [FeedbackTransitionModel], { nullable: true })
  transitions?: FeedbackTransitionModel[];
}

@ObjectType('FeedbackPage')
export class FeedbackPageModel {
  @ApiProperty({ type: [FeedbackModel] })
  @Field(() => [FeedbackModel])
  items: FeedbackModel[];

  @ApiPropertyOptional({ nullable: true, example: null })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}

@ObjectType('FeedbackNote')
export class FeedbackNoteModel {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ format: 'uuid' })
  @Field()
  feedbackId: string;

  @ApiProperty({ example: 'staff:0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20' })
  @Field()
  author: string;

  @ApiProperty({ example: 'Customer prefers a call after 18:00.' })
  @Field()
  body: string;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  @Field()
  createdAt: string;
}

@ObjectType('FeedbackNotePage')
export class FeedbackNotePageModel {
  @ApiProperty({ type: [FeedbackNoteModel] })
  @Field(() => [FeedbackNoteModel])
  items: FeedbackNoteModel[];

  @ApiPropertyOptional({ nullable: true, example: null })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}
