import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { TransactionInput } from './dto/transaction.input';
import { canonicalOfJson } from '../common/idempotency/idempotency.service';
import { canonicalCheckedTransaction, certainlyValidTransaction } from './transaction-fast-check';

const valid = {
  source: 'pos-1',
  externalId: 'R-1',
  type: 'sale',
  occurredAt: '2026-11-23T10:15:00+08:00',
  storeId: 'store-001',
  customer: { id: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20' },
  currency: 'CNY',
  total: '10.00',
  items: [
    { sku: 'A', name: 'n', category: 'c', quantity: 1.5, unitPrice: '5.00', amount: '10.00' },
  ],
};

function decoratorsAccept(raw: object): boolean {
  return (
    validateSync(plainToInstance(TransactionInput, raw), {
      whitelist: true,
      forbidNonWhitelisted: true,
    }).length === 0
  );
}

describe('certainlyValidTransaction never accepts what the decorators refuse', () => {
  const variants: [string, object][] = [
    ['valid', valid],
    ['anonymous', { ...valid, customer: null }],
    ['unknown field', { ...valid, extra: 1 }],
    ['bad date', { ...valid, occurredAt: '2026-02-30T10:15:00Z' }],
    ['date without zone', { ...valid, occurredAt: '2026-11-23T10:15:00' }],
    ['negative quantity', { ...valid, items: [{ ...valid.items[0], quantity: -1 }] }],
    ['4 decimals quantity', { ...valid, items: [{ ...valid.items[0], quantity: 1.0001 }] }],
    ['no items', { ...valid, items: [] }],
    ['bad money', { ...valid, total: '10,00' }],
    ['unknown item field', { ...valid, items: [{ ...valid.items[0], colour: 'red' }] }],
    ['bad uuid', { ...valid, customer: { id: 'nope' } }],
    ['lower currency', { ...valid, currency: 'cny' }],
    ['bad type', { ...valid, type: 'refund' }],
  ];
  it.each(variants)('%s', (_name, raw) => {
    if (certainlyValidTransaction(raw)) expect(decoratorsAccept(raw)).toBe(true);
  });
  it('takes the common valid receipt', () => {
    expect(certainlyValidTransaction(valid)).toBe(true);
    expect(certainlyValidTransaction({ ...valid, occurredAt: new Date().toISOString() })).toBe(
      true,
    );
  });
});

describe('canonicalCheckedTransaction', () => {
  // A receipt's idempotency hash is of this text: it must be canonicalOfJson's, byte for byte.
  it('writes what canonicalOfJson writes for every receipt the fast check takes', () => {
    const item = valid.items[0];
    const receipts: Record<string, unknown>[] = [
      valid,
      { ...valid, customer: null, storeId: undefined },
      {
        items: valid.items,
        total: '10.00',
        currency: 'CNY',
        type: 'return',
        occurredAt: valid.occurredAt,
        externalId: 'R-2',
        source: 'pos-1',
        originalExternalId: 'R-1',
      },
      {
        ...valid,
        customer: {
          phone: '+86 "138" \\',
          memberNo: '汉字 \u2028',
          identity: 'wechat:x',
          id: null,
        },
      },
      {
        ...valid,
        storeId: '\u0001 tab\t 😀 \ud800',
        items: [
          { ...item, name: null, category: undefined, quantity: 0.001 },
          { amount: '0', unitPrice: '0.5', quantity: 12345, sku: 'quote " back \\ slash' },
        ],
      },
    ];
    for (const receipt of receipts) {
      expect(certainlyValidTransaction(receipt)).toBe(true);
      expect(canonicalCheckedTransaction(receipt)).toBe(canonicalOfJson(receipt));
    }
  });
});
