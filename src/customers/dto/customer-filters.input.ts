import { Field, InputType } from '@nestjs/graphql';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';

/** GraphQL `customers(q, filters, first, after)`: the same filters as REST search. */
@InputType('CustomerFiltersInput')
export class CustomerFiltersInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  tag?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  tier?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  storeId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  registeredBy?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  createdFrom?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  createdTo?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(['active', 'archived'])
  status?: string;
}
