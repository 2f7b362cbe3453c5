import { ApiProperty } from '@nestjs/swagger';

export class DataQualitySampleModel {
  @ApiProperty({ example: '01936b2e-7c1a-7d3e-8f00-1234567890ab' })
  customerId!: string;

  @ApiProperty({
    example: 'invalid_phone',
    enum: ['invalid_phone', 'invalid_email', 'not_normalised'],
  })
  problem!: string;
}

export class DuplicateSampleModel {
  @ApiProperty({ example: '01936b2e-7c1a-7d3e-8f00-1234567890ab' })
  customerId!: string;

  @ApiProperty({ example: '01936b2e-7c1a-7d3e-8f00-1234567890ac' })
  duplicateId!: string;

  @ApiProperty({ example: ['same_phone'], type: [String] })
  reasons!: string[];

  @ApiProperty({ example: 0.9 })
  score!: number;
}

export class DataQualityReportModel {
  @ApiProperty({ example: 1200, description: 'Active customers.' })
  customers!: number;

  @ApiProperty({
    example: 3,
    description: 'Stored phones that are not a valid number for the tenant region today.',
  })
  invalidPhones!: number;

  @ApiProperty({ example: 2, description: 'Stored e-mails that are not an address.' })
  invalidEmails!: number;

  @ApiProperty({
    example: 5,
    description: 'Phones, e-mails or names that POST /v1/cleaning/normalise would change.',
  })
  notNormalised!: number;

  @ApiProperty({
    example: { name: 10, phone: 40, email: 300, contact: 8, birthday: 500, gender: 120 },
    description: 'Customers missing each key field (contact: neither phone nor e-mail).',
  })
  missing!: Record<string, number>;

  @ApiProperty({
    example: 42,
    description: "Profiles not confirmed within the tenant's profileConfirmDays (default 180).",
  })
  staleProfiles!: number;

  @ApiProperty({
    example: 4,
    description: 'Likely duplicate pairs found by the customers duplicate finder (up to 50).',
  })
  likelyDuplicates!: number;

  @ApiProperty({ type: [DuplicateSampleModel] })
  duplicateSample!: DuplicateSampleModel[];

  @ApiProperty({
    type: [DataQualitySampleModel],
    description: 'Up to 50 customers with an invalid or not normalised value.',
  })
  sample!: DataQualitySampleModel[];
}

export class NormaliseResultModel {
  @ApiProperty({ example: 1200 })
  scanned!: number;

  @ApiProperty({ example: 5, description: 'Customers whose phone, e-mail or name changed.' })
  changed!: number;

  @ApiProperty({
    example: 3,
    description: 'Values that are invalid and were left as they are (see the report).',
  })
  invalid!: number;

  @ApiProperty({
    example: 1,
    description:
      'Values whose normalised form another customer holds: a duplicate to merge, left as is.',
  })
  conflicts!: number;

  @ApiProperty({ example: 2, description: 'Batches (transactions) used.' })
  batches!: number;
}
