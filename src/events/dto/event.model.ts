import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class EventModel {
  @ApiProperty({
    format: 'uuid',
    description: 'Event id; also the `webhook-id` of its deliveries.',
    example: '0193a8f2-3c1d-7e4a-8b2f-5d6e7f8a9b0c',
  })
  id: string;

  @ApiProperty({
    description:
      "Position in the tenant's stream (decimal string); pass it as `after` to continue.",
    example: '1042',
  })
  seq: string;

  @ApiProperty({ example: 'tier.changed' })
  type: string;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    example: '0193a8f2-0000-7000-8000-000000000001',
  })
  customerId: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'transaction' })
  subjectType: string | null;

  @ApiPropertyOptional({ nullable: true, example: '0193a8f2-0000-7000-8000-000000000002' })
  subjectId: string | null;

  @ApiProperty({
    description: 'When the change committed (its outbox row was written).',
    example: '2026-11-23T08:00:00.000Z',
  })
  occurredAt: string;

  @ApiProperty({
    description:
      "Ids and changed data. Personal data is removed unless the reader (or the subscription's creator) holds `pii:read`.",
    example: { from: 'member', to: 'gold' },
  })
  data: Record<string, unknown>;
}

export class EventPage {
  @ApiProperty({ type: [EventModel] })
  items: EventModel[];

  @ApiProperty({
    description:
      'Always set: pass it as `after` on the next poll. Equal to the `after` you sent when nothing new arrived.',
    example: '1042',
  })
  nextCursor: string;
}

export class EventFeedQuery {
  @ApiPropertyOptional({
    description: 'Return events after this cursor (a `seq`); 0 or absent = from the start.',
    example: '1042',
  })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,18}$/, { message: 'after must be a cursor returned by this feed' })
  after?: string;

  @ApiPropertyOptional({
    description: 'Comma-separated event types to include.',
    example: 'customer.created,tier.changed',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  types?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100, example: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
