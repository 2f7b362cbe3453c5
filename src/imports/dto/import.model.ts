import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBooleanString, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { IMPORT_KINDS } from '../import-mapping';

export class StartImportQuery {
  @ApiProperty({ enum: IMPORT_KINDS, example: 'customers' })
  @IsIn(IMPORT_KINDS)
  kind!: 'customers' | 'transactions';

  @ApiPropertyOptional({
    example: 'false',
    description: 'Validate and count without keeping anything.',
  })
  @IsOptional()
  @IsBooleanString()
  dryRun?: string;

  @ApiPropertyOptional({
    example: 'gb18030',
    description:
      'utf-8 or gb18030 (gbk/gb2312 read as gb18030); sniffed when absent. Also read from the Content-Type charset parameter.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  charset?: string;

  @ApiPropertyOptional({
    example: '{"columns":{"手机":"phone","姓名":"name","会员号":"memberNo","爱好":"attr.hobby"}}',
    description:
      'JSON column mapping: `columns` (header → field; `attr.<key>` for custom attributes), `namespace` (source of external ids), ' +
      '`source` (transactions), `currency`, `timeZone`. Without it, headers that are field names map to themselves.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  mapping?: string;
}

export class ImportErrorsQuery extends PageQuery {}

export class ImportModel {
  @ApiProperty({ example: '01936b2e-7c1a-7d3e-8f00-1234567890ab' })
  id!: string;

  @ApiProperty({ enum: IMPORT_KINDS, example: 'customers' })
  kind!: string;

  @ApiProperty({
    enum: ['receiving', 'queued', 'processing', 'completed', 'failed'],
    example: 'processing',
  })
  status!: string;

  @ApiProperty({ example: false })
  dryRun!: boolean;

  @ApiProperty({ example: 'csv' })
  format!: string;

  @ApiProperty({ example: 'utf-8', description: 'The charset used (declared or detected).' })
  charset!: string;

  @ApiProperty({ example: 10000, description: 'Data rows (lines) received.' })
  totalRows!: number;

  @ApiProperty({
    example: 2500,
    description: 'Receipts in a line-level transactions file; equals totalRows otherwise.',
  })
  totalGroups!: number;

  @ApiProperty({ example: 4000, description: 'Rows handled so far, failed ones included.' })
  processed!: number;

  @ApiProperty({ example: 3500, description: 'Customers or transactions created.' })
  created!: number;

  @ApiProperty({ example: 400, description: 'Existing customers whose blank fields were filled.' })
  updated!: number;

  @ApiProperty({
    example: 80,
    description:
      'Rows that changed nothing: duplicates merged into an earlier row, already imported receipts, unchanged records.',
  })
  skipped!: number;

  @ApiProperty({ example: 20, description: 'Rows refused; see /errors.' })
  failed!: number;

  @ApiProperty({ example: 40.0, description: 'processed / totalRows × 100.' })
  percent!: number;

  @ApiProperty({ example: 12500.5, description: 'Rows per second since processing started.' })
  rate!: number;

  @ApiPropertyOptional({
    example: null,
    nullable: true,
    description: 'Why a failed import stopped.',
  })
  error!: string | null;

  @ApiProperty({ example: '2026-11-23T01:00:00.000Z' })
  createdAt!: string;

  @ApiPropertyOptional({ example: '2026-11-23T01:00:00.000Z', nullable: true })
  startedAt!: string | null;

  @ApiPropertyOptional({ example: '2026-11-23T01:01:00.000Z', nullable: true })
  finishedAt!: string | null;
}

export class ImportErrorModel {
  @ApiProperty({ example: 7, description: 'Line in the file; the CSV header is line 1.' })
  line!: number;

  @ApiPropertyOptional({
    example: '手机',
    nullable: true,
    description: 'Header of the offending column.',
  })
  column!: string | null;

  @ApiPropertyOptional({
    example: '13*******00',
    nullable: true,
    description: 'The cell, masked when it is personal data.',
  })
  value!: string | null;

  @ApiProperty({ example: 'invalid_phone' })
  code!: string;

  @ApiProperty({ example: 'phone is not a valid phone number for region CN' })
  message!: string;
}

export class ImportErrorPageModel {
  @ApiProperty({ type: [ImportErrorModel] })
  @Type(() => ImportErrorModel)
  items!: ImportErrorModel[];

  @ApiPropertyOptional({ example: null, nullable: true })
  nextCursor!: string | null;
}
