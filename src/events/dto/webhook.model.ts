import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class WebhookModel {
  @ApiProperty({ format: 'uuid', example: '0193a8f2-3c1d-7e4a-8b2f-5d6e7f8a9b0c' })
  id: string;

  @ApiProperty({ example: 'https://hooks.example.com/kehu' })
  url: string;

  @ApiPropertyOptional({ nullable: true, example: 'Marketing automation' })
  description: string | null;

  @ApiProperty({ example: ['customer.created', 'tier.changed'] })
  events: string[];

  @ApiProperty({ example: true })
  active: boolean;

  @ApiPropertyOptional({
    nullable: true,
    description: 'Why Kehu switched it off, if it did.',
    example: null,
  })
  disabledReason: string | null;

  @ApiProperty({ description: 'Failed attempts since the last success.', example: 0 })
  consecutiveFailures: number;

  @ApiProperty({
    description: 'Payloads include personal data (the creating client held `pii:read`).',
    example: false,
  })
  piiAllowed: boolean;

  @ApiPropertyOptional({
    description: 'Only in the answers to create and rotate: the signing secret.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret?: string;

  @ApiPropertyOptional({
    nullable: true,
    description: 'Until when the previous secret also signs deliveries.',
    example: '2026-11-24T08:00:00.000Z',
  })
  previousSecretExpiresAt: string | null;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  updatedAt: string;
}

export class WebhookPage {
  @ApiProperty({ type: [WebhookModel] })
  items: WebhookModel[];

  @ApiProperty({ nullable: true, type: String, example: null })
  nextCursor: string | null;
}

export class DeliveryAttemptModel {
  @ApiProperty({ example: '2026-11-23T08:00:01.000Z' })
  attemptedAt: string;

  @ApiProperty({ enum: ['succeeded', 'failed'], example: 'failed' })
  outcome: string;

  @ApiPropertyOptional({
    nullable: true,
    description: 'HTTP status the receiver answered; null on timeout or connection error.',
    example: 500,
  })
  statusCode: number | null;

  @ApiProperty({ example: 37 })
  latencyMs: number;

  @ApiPropertyOptional({ nullable: true, example: 'receiver answered 500' })
  error: string | null;
}

export class DeliveryModel {
  @ApiProperty({ format: 'uuid', example: '0193a8f2-3c1d-7e4a-8b2f-5d6e7f8a9b0d' })
  id: string;

  @ApiProperty({ format: 'uuid', example: '0193a8f2-3c1d-7e4a-8b2f-5d6e7f8a9b0c' })
  webhookId: string;

  @ApiProperty({ format: 'uuid', example: '0193a8f2-3c1d-7e4a-8b2f-5d6e7f8a9b0e' })
  eventId: string;

  @ApiProperty({ example: 'tier.changed' })
  eventType: string;

  @ApiProperty({ example: '1042' })
  eventSeq: string;

  @ApiPropertyOptional({ nullable: true, example: '0193a8f2-0000-7000-8000-000000000001' })
  customerId: string | null;

  @ApiProperty({
    enum: ['pending', 'delivering', 'succeeded', 'dead', 'suppressed'],
    example: 'succeeded',
  })
  status: string;

  @ApiProperty({ example: 1 })
  attempts: number;

  @ApiPropertyOptional({ nullable: true, description: 'Next retry, while pending.', example: null })
  nextAttemptAt: string | null;

  @ApiPropertyOptional({ nullable: true, example: 200 })
  lastStatusCode: number | null;

  @ApiPropertyOptional({ nullable: true, example: 12 })
  lastLatencyMs: number | null;

  @ApiPropertyOptional({ nullable: true, example: null })
  lastError: string | null;

  @ApiPropertyOptional({
    nullable: true,
    format: 'uuid',
    description: 'The delivery this one re-sends.',
    example: null,
  })
  redeliveryOf: string | null;

  @ApiProperty({ type: [DeliveryAttemptModel] })
  attemptLog: DeliveryAttemptModel[];

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-23T08:00:01.000Z' })
  updatedAt: string;
}

export class DeliveryPage {
  @ApiProperty({ type: [DeliveryModel] })
  items: DeliveryModel[];

  @ApiProperty({ nullable: true, type: String, example: null })
  nextCursor: string | null;
}
