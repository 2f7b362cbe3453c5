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

describe('requestHash', () => {
  // Hashes stored before the one-shot crypto.hash: a retry of an old receipt still matches.
  it('hashes as it did when receipts were first stored', () => {
    const receipt = {
      source: 'pos-1',
      externalId: 'R-1',
      type: 'sale',
      occurredAt: '2026-11-23T10:15:00+08:00',
      storeId: null,
      customer: { id: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20' },
      currency: 'CNY',
      total: '10.00',
      items: [
        {
          sku: 'A "q" \\ 汉字',
          name: null,
          category: 'c',
          quantity: 1.5,
          unitPrice: '5.00',
          amount: '10.00',
        },
      ],
    };
    expect(requestHashOfJson('TRANSACTION', '', receipt)).toBe(
      '21e84a7c86accf24f80eef5c2d3a7693c995c8b034c0d59af163465b8d3e39cd',
    );
    expect(requestHash('POST', '/v1/x', { b: 1, a: [1, 'x'] })).toBe(
      '2c49b464cc8d8a9b3d62b2d33a40831c8e495807b27ea08166808ad54cb0cce0',
    );
  });
});
