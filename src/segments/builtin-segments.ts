import { RFM_SEGMENT_LABELS, RFM_SEGMENTS } from './rfm/rfm-segments';

export interface BuiltinSegment {
  key: string;
  name: string;
  description: string;
  query: string;
}

/**
 * Segments every tenant gets, written in the rule language itself so they behave (and
 * refresh, export, diff) exactly like user segments. `lapsedDays` comes from the tenant's
 * segment settings; classes and gold come from the RFM recompute (customer_rfm).
 */
export function builtinSegments(settings: { lapsedDays: number }): BuiltinSegment[] {
  return [
    ...RFM_SEGMENTS.map((segment) => ({
      key: `rfm.${segment}`,
      name: `RFM: ${RFM_SEGMENT_LABELS[segment]}`,
      description: `Standard RFM segment "${segment}" (score map in docs/SEGMENTS.md).`,
      query: `rfm.segment = "${segment}"`,
    })),
    ...(['high', 'mid', 'low'] as const).flatMap((level) => [
      {
        key: `frequency.${level}`,
        name: `Frequency: ${level}`,
        description: `${level} purchase frequency (tenant thresholds, default tertiles of purchasers).`,
        query: `rfm.frequencyClass = "${level}"`,
      },
      {
        key: `spend.${level}`,
        name: `Spend: ${level}`,
        description: `${level} total spend (tenant thresholds, default tertiles of purchasers).`,
        query: `rfm.spendClass = "${level}"`,
      },
    ]),
    {
      key: 'gold',
      name: 'Gold customers 金牌',
      description: 'Top spenders over 12 months with enough purchases (segment settings).',
      query: 'rfm.gold',
    },
    {
      key: 'birthday-this-month',
      name: 'Birthday this month',
      description: 'Birthday in the current tenant-local month.',
      query: 'birthMonth = currentMonth()',
    },
    {
      key: 'lapsed',
      name: 'Lapsed',
      description: `Bought before but not in the last ${settings.lapsedDays} days.`,
      query: `stats.lastPurchaseAt < now() - ${settings.lapsedDays}d`,
    },
  ];
}
