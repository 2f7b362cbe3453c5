import { defaultProgram, LoyaltyProgram } from './loyalty-program';
import {
  consumeLots,
  divideRounded,
  expiryFor,
  newLotRemaining,
  pointsForSale,
  pointsToReverse,
  qualifiedTier,
} from './points-math';

function program(overrides: Partial<LoyaltyProgram> = {}): LoyaltyProgram {
  return { ...defaultProgram('CNY'), ...overrides };
}

const context = (p: LoyaltyProgram, extra: Partial<Parameters<typeof pointsForSale>[2]> = {}) => ({
  occurredAt: new Date('2026-06-15T10:00:00Z'),
  tier: p.tiers[0],
  birthMonth: null,
  localMonth: 6,
  currencyExponent: 2,
  ...extra,
});

describe('points maths', () => {
  it('rounds once per sale, as the program says', () => {
    const lines = [
      { sku: 'a', category: null, amountMinor: 1299n },
      { sku: 'b', category: null, amountMinor: 1299n },
    ];
    // 25.98 units at 1 point per unit
    expect(pointsForSale(program({ rounding: 'floor' }), lines, context(program()))).toBe(25);
    expect(pointsForSale(program({ rounding: 'round' }), lines, context(program()))).toBe(26);
    expect(pointsForSale(program({ rounding: 'ceil' }), lines, context(program()))).toBe(26);
    expect(
      pointsForSale(
        program({ pointsPerUnit: '0.5', rounding: 'round' }),
        lines,
        context(program()),
      ),
    ).toBe(13);
    expect(divideRounded(5n, 2n, 'round')).toBe(3n);
    expect(divideRounded(-5n, 2n, 'floor')).toBe(-2n);
  });

  it('handles zero-decimal currencies', () => {
    const lines = [{ sku: 'a', category: null, amountMinor: 1500n }];
    expect(
      pointsForSale(
        program({ pointsPerUnit: '0.01' }),
        lines,
        context(program(), { currencyExponent: 0 }),
      ),
    ).toBe(15);
  });

  it('applies SKU over category multipliers, the best promotion, tier and birthday month', () => {
    const p = program({
      earnRules: {
        categoryMultipliers: [{ category: 'shoes', multiplier: 2 }],
        skuMultipliers: [{ sku: 'sku-x', multiplier: 3 }],
        birthdayMonthMultiplier: 2,
        promotions: [
          {
            name: 'summer',
            from: new Date('2026-06-01T00:00:00Z'),
            to: new Date('2026-07-01T00:00:00Z'),
            multiplier: 1.5,
            categories: [],
          },
          {
            name: 'bags',
            from: new Date('2026-06-01T00:00:00Z'),
            to: new Date('2026-07-01T00:00:00Z'),
            multiplier: 4,
            categories: ['bags'],
          },
        ],
      },
    });
    const lines = [
      { sku: 'sku-x', category: 'shoes', amountMinor: 10000n }, // 100 × 3 × 1.5 = 450
      { sku: 'sku-y', category: 'shoes', amountMinor: 10000n }, // 100 × 2 × 1.5 = 300
      { sku: 'sku-z', category: 'bags', amountMinor: 10000n }, // 100 × 1 × 4 = 400
    ];
    expect(pointsForSale(p, lines, context(p))).toBe(1150);
    const gold = { ...p.tiers[0], code: 'gold', pointsMultiplier: 1.25 };
    expect(pointsForSale(p, lines, context(p, { tier: gold }))).toBe(1437); // 1437.5 floored
    expect(pointsForSale(p, lines, context(p, { birthMonth: 6 }))).toBe(2300);
    expect(pointsForSale(p, lines, context(p, { birthMonth: 5 }))).toBe(1150);
    // outside the promotion window
    expect(
      pointsForSale(p, lines, context(p, { occurredAt: new Date('2026-07-01T00:00:00Z') })),
    ).toBe(600);
  });

  it('reverses proportionally and exactly in total across partial returns', () => {
    // a 333-point sale of 100.00 returned in three parts of 33.33, 33.33, 33.34
    const parts = [3333n, 3333n, 3334n];
    let before = 0n;
    let total = 0;
    for (const part of parts) {
      total += pointsToReverse(333, 10000n, before, part);
      before += part;
    }
    expect(total).toBe(333);
    expect(pointsToReverse(100, 10000n, 0n, 5000n)).toBe(50);
    expect(pointsToReverse(0, 10000n, 0n, 5000n)).toBe(0);
    // never more than the sale earned
    expect(pointsToReverse(100, 10000n, 0n, 20000n)).toBe(100);
  });

  it("consumes lots FIFO by expiry, preferring the returned sale's own lot", () => {
    const lots = () => [
      {
        id: 'late',
        remaining: 50,
        expiresAt: new Date('2028-01-01'),
        earnedAt: new Date('2026-01-01'),
        transactionId: 't2',
      },
      {
        id: 'soon',
        remaining: 30,
        expiresAt: new Date('2027-01-01'),
        earnedAt: new Date('2025-01-01'),
        transactionId: 't1',
      },
      {
        id: 'never',
        remaining: 10,
        expiresAt: null,
        earnedAt: new Date('2024-01-01'),
        transactionId: null,
      },
    ];
    expect(consumeLots(lots(), 40)).toEqual({
      updates: [
        { id: 'soon', remaining: 0 },
        { id: 'late', remaining: 40 },
      ],
      shortfall: 0,
    });
    expect(consumeLots(lots(), 60, 't2')).toEqual({
      updates: [
        { id: 'late', remaining: 0 },
        { id: 'soon', remaining: 20 },
      ],
      shortfall: 0,
    });
    expect(consumeLots(lots(), 100).shortfall).toBe(10);
  });

  it('pays a negative balance from new points first', () => {
    expect(newLotRemaining(-30, 100)).toBe(70);
    expect(newLotRemaining(-300, 100)).toBe(0);
    expect(newLotRemaining(20, 100)).toBe(100);
  });

  it('picks the highest qualifying tier by spend or points', () => {
    const p = program({
      tiers: [
        {
          code: 'member',
          name: 'Member',
          rank: 0,
          qualifySpend12m: null,
          qualifyPoints: null,
          pointsMultiplier: 1,
          benefits: {},
        },
        {
          code: 'silver',
          name: 'Silver',
          rank: 1,
          qualifySpend12m: 100000n,
          qualifyPoints: null,
          pointsMultiplier: 1.2,
          benefits: {},
        },
        {
          code: 'gold',
          name: 'Gold',
          rank: 2,
          qualifySpend12m: 500000n,
          qualifyPoints: 4000,
          pointsMultiplier: 1.5,
          benefits: {},
        },
      ],
    });
    expect(qualifiedTier(p, 0n, 0).code).toBe('member');
    expect(qualifiedTier(p, 100000n, 0).code).toBe('silver');
    expect(qualifiedTier(p, 100000n, 4000).code).toBe('gold');
    expect(qualifiedTier(p, 600000n, 0).code).toBe('gold');
  });

  it('expires after calendar months, clamped to month end', () => {
    expect(expiryFor(new Date('2026-01-31T12:00:00Z'), 1)?.toISOString()).toBe(
      '2026-02-28T12:00:00.000Z',
    );
    expect(expiryFor(new Date('2026-11-23T00:00:00Z'), 24)?.toISOString()).toBe(
      '2028-11-23T00:00:00.000Z',
    );
    expect(expiryFor(new Date(), null)).toBeNull();
  });
});
