import { Field, Float, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

export const ATTRIBUTE_TYPES = [
  'string',
  'number',
  'boolean',
  'date',
  'enum',
  'multi_enum',
] as const;
export const ATTRIBUTE_GROUPS = ['hard', 'soft'] as const;

@InputType('AttributeDefinitionPatchInput')
export class UpdateAttributeDefinitionInput {
  @ApiPropertyOptional({ example: 'Hobbies', maxLength: 100 })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  label?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['hiking', 'tea', 'photography'],
    description: 'Allowed values of enum and multi_enum attributes.',
  })
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  options?: string[];

  @ApiPropertyOptional({
    enum: ATTRIBUTE_GROUPS,
    example: 'soft',
    description: 'hard (basic) or soft (rich) data, for completeness.',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(ATTRIBUTE_GROUPS)
  group?: (typeof ATTRIBUTE_GROUPS)[number];

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 100,
    example: 1,
    description: 'Weight inside its group for completeness.',
  })
  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  weight?: number;
}

@InputType('CreateAttributeDefinitionInput')
export class CreateAttributeDefinitionInput extends UpdateAttributeDefinitionInput {
  @ApiProperty({ example: 'hobbies', description: 'Lower-case key used in `attributes`.' })
  @Field()
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,49}$/, {
    message: 'key is 1–50 lower-case letters, digits or underscores, starting with a letter',
  })
  key: string;

  @ApiProperty({ enum: ATTRIBUTE_TYPES, example: 'multi_enum' })
  @Field(() => String)
  @IsIn(ATTRIBUTE_TYPES)
  type: (typeof ATTRIBUTE_TYPES)[number];
}

@ObjectType('AttributeDefinition')
export class AttributeDefinitionModel {
  @ApiProperty({ example: 'hobbies' })
  @Field()
  key: string;

  @ApiProperty({ example: 'Hobbies' })
  @Field()
  label: string;

  @ApiProperty({ enum: ATTRIBUTE_TYPES, example: 'multi_enum' })
  @Field()
  type: string;

  @ApiProperty({ type: [String], example: ['hiking', 'tea'] })
  @Field(() => [String])
  options: string[];

  @ApiProperty({ enum: ATTRIBUTE_GROUPS, example: 'soft' })
  @Field()
  group: string;

  @ApiProperty({ example: 1 })
  @Field(() => Float)
  weight: number;

  @ApiProperty({ example: '2026-11-23T00:00:00.000Z' })
  @Field()
  createdAt: string;

  @ApiProperty({ example: '2026-11-23T00:00:00.000Z' })
  @Field()
  updatedAt: string;
}
