import { requestHash, requestHashOfJson } from './idempotency.service';

class Shaped {
  kept = 'a';
  gone: string | undefined = undefined;
  nested = { z: 1, a: [1, undefined, { b: undefined, c: null }] };
}

describe('requestHashOfJson', () => {
  // Stored receipts carry this hash: a retry must hash exactly as before the one-pass version.
  it('equals requestHash of the JSON round trip', () => {
    const samples: unknown[] = [
      { source: 'pos', externalId: 'R-1', items: [{ sku: 'A', quantity: 1.5, amount: '1.00' }] },
      { b: 2, a: { d: [3, 'x', true, null], c: undefined }, e: () => 1 },
      new Shaped(),
      {
        when: new Date('2026-01-02T03:04:05.000Z'),
        list: [[], {}, [{}]],
        s: 'quote " \\ \u2028 \ud800',
      },
      ['top', undefined, 0, -0, NaN, Infinity, 1e21, 0.1],
      {
        z: { toJSON: () => 7 },
        y: { toJSON: () => ({ q: 1, p: [undefined] }) },
      },
      {
        'key "quoted"': 1,
        key: 2,
        '': 3,
        é: 4,
        B: 5,
        '\ud83d\ude00': 6,
        '\uffff': 7,
        a10: 8,
        a9: 9,
      },
      Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7) % 40}`, i])),
      'plain',
      42,
      null,
    ];
    for (const sample of samples)
      expect(requestHashOfJson('TRANSACTION', '', sample)).toBe(
        requestHash('TRANSACTION', '', JSON.parse(JSON.stringify(sample))),
      );
  });
});
