import { Field, InputType } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

@InputType('ReportPeriodInput')
export class OverviewQuery {
  @ApiPropertyOptional({
    description: 'First day (tenant time zone), default 29 days before `to`.',
    example: '2026-11-01',
  })
  @Field({ nullable: true })
  @IsOptional()
  @Matches(DATE, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({
    description: 'Last day, inclusive (tenant time zone), default today.',
    example: '2026-11-30',
  })
  @Field({ nullable: true })
  @IsOptional()
  @Matches(DATE, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({
    description: 'Only this store (customers by home store, sales by store).',
    example: 'store-001',
  })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  storeId?: string;
}

@InputType('ProfileQualityInput')
export class ProfileQualityQuery {
  @ApiPropertyOptional({
    enum: ['store', 'staff'],
    default: 'store',
    description: 'Leaderboard by home store or by the staff who registered the profile.',
  })
  @Field({ nullable: true })
  @IsOptional()
  @IsIn(['store', 'staff'])
  groupBy?: 'store' | 'staff';

  @ApiPropertyOptional({
    description: 'Only profiles registered from this day (tenant time zone).',
    example: '2026-11-01',
  })
  @Field({ nullable: true })
  @IsOptional()
  @Matches(DATE, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({
    description: 'Only profiles registered up to this day, inclusive.',
    example: '2026-11-30',
  })
  @Field({ nullable: true })
  @IsOptional()
  @Matches(DATE, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;
}
