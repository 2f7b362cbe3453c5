import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsString, MaxLength, ValidateNested } from 'class-validator';
import { MATCH_ACTIONS, MATCH_KEYS } from '../match-rules';

@InputType('MatchRuleInput')
export class MatchRuleInput {
  @ApiProperty({
    enum: MATCH_KEYS,
    description:
      'Identity type, `phone_verified` (a phone the holder verified) or `name_birthday` (suggest only).',
    example: 'wechat_unionid',
  })
  @Field()
  @IsString()
  @MaxLength(40)
  match: string;

  @ApiProperty({
    enum: MATCH_ACTIONS,
    description:
      '`merge`: the write lands on the existing customer (older survives); `suggest`: refused with 409 and listed as a duplicate.',
    example: 'merge',
  })
  @Field()
  @IsString()
  @MaxLength(20)
  action: string;
}

@InputType('MatchRulesInput')
export class MatchRulesInput {
  @ApiProperty({
    type: [MatchRuleInput],
    description: 'In priority order (first wins when two rules apply).',
    example: [
      { match: 'wechat_unionid', action: 'merge' },
      { match: 'phone_verified', action: 'merge' },
      { match: 'email', action: 'suggest' },
    ],
  })
  @Field(() => [MatchRuleInput])
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MatchRuleInput)
  rules: MatchRuleInput[];
}

@ObjectType('MatchRule')
export class MatchRuleModel {
  @ApiProperty({ enum: MATCH_KEYS, example: 'wechat_unionid' })
  @Field()
  match: string;

  @ApiProperty({ enum: MATCH_ACTIONS, example: 'merge' })
  @Field()
  action: string;
}

@ObjectType('MatchRules')
export class MatchRulesModel {
  @ApiProperty({ type: [MatchRuleModel] })
  @Field(() => [MatchRuleModel])
  rules: MatchRuleModel[];

  @ApiProperty({ description: 'True while the tenant uses the defaults.', example: true })
  @Field()
  isDefault: boolean;

  @ApiProperty({ example: 1 })
  @Field(() => Int)
  version: number;
}
