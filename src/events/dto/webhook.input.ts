import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PageQuery } from '../../common/pagination';

export class CreateWebhookInput {
  @ApiProperty({
    description: 'https endpoint (private and loopback targets are refused).',
    example: 'https://hooks.example.com/kehu',
  })
  @IsString()
  @MaxLength(2000)
  url: string;

  @ApiProperty({
    description: 'Event types to receive, or `*` for all.',
    example: ['customer.created', 'tier.changed'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  events: string[];

  @ApiPropertyOptional({
    description: 'Signing secret `whsec_…` (base64 of 24–64 bytes); generated when absent.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  secret?: string;

  @ApiPropertyOptional({ example: 'Marketing automation' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ default: true, example: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateWebhookInput {
  @ApiPropertyOptional({ example: 'https://hooks.example.com/kehu-v2' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({ example: ['*'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  events?: string[];

  @ApiPropertyOptional({ example: 'Marketing automation' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({
    description: 'Re-enabling an auto-disabled subscription resets its failure count.',
    example: true,
  })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class RotateSecretInput {
  @ApiPropertyOptional({
    description: 'The new secret; generated when absent.',
    example: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  secret?: string;

  @ApiPropertyOptional({
    description: 'How long the old secret keeps signing too (minutes, 0–10080).',
    default: 1440,
    example: 1440,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10080)
  overlapMinutes?: number;
}

export class DeliveryListQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: ['pending', 'delivering', 'succeeded', 'dead', 'suppressed'],
    example: 'dead',
  })
  @IsOptional()
  @IsIn(['pending', 'delivering', 'succeeded', 'dead', 'suppressed'])
  status?: string;
}
