import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';

@ObjectType('CustomerMerge')
export class MergeModel {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a21' })
  @Field()
  id: string;

  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a21' })
  @Field()
  survivorId: string;

  @ApiProperty({ type: [String], example: ['0192f0c1-8c00-7c4e-9a51-3d2f8e6b1a22'] })
  @Field(() => [String])
  sourceIds: string[];

  @ApiProperty({
    enum: ['applied', 'undone', 'erased'],
    description:
      '`erased`: a customer in it was erased; the snapshot is gone and it cannot be undone.',
    example: 'applied',
  })
  @Field()
  status: string;

  @ApiProperty({ enum: ['client', 'staff'], example: 'staff' })
  @Field()
  actorKind: string;

  @ApiPropertyOptional({ example: '0192f0c1-0000-7000-8000-000000000001', nullable: true })
  @Field(() => String, { nullable: true })
  actorId: string | null;

  @ApiPropertyOptional({ example: 'Same person: WeChat and till records', nullable: true })
  @Field(() => String, { nullable: true })
  reason: string | null;

  @ApiPropertyOptional({
    description:
      'The match rule of an automatic merge (`wechat_unionid`, `phone_verified`, `guest_promotion`, …); null for a manual merge.',
    example: 'wechat_unionid',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  rule: string | null;

  @ApiProperty({ example: '2026-11-23T01:00:00.000Z' })
  @Field()
  createdAt: string;

  @ApiPropertyOptional({ example: null, nullable: true })
  @Field(() => String, { nullable: true })
  undoneAt: string | null;

  @ApiPropertyOptional({
    description: 'Survivor fields set back to their pre-merge value by the undo.',
    type: [String],
    example: ['email'],
    nullable: true,
  })
  @Field(() => [String], { nullable: true })
  restoredFields?: string[] | null;
}

@ObjectType('CustomerMergePage')
export class MergePageModel {
  @ApiProperty({ type: [MergeModel] })
  @Field(() => [MergeModel])
  items: MergeModel[];

  @ApiPropertyOptional({ example: null, nullable: true })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}

@InputType('MergePreviewInput')
export class MergePreviewInput {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a21' })
  @Field()
  @IsUUID('all')
  survivorId: string;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    example: ['0192f0c1-8c00-7c4e-9a51-3d2f8e6b1a22'],
  })
  @Field(() => [String])
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  sourceIds: string[];
}
