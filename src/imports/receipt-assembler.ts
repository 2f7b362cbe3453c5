import { requestHash } from '../common/idempotency/idempotency.service';
import { currencyExponent, fromMinorUnits } from '../common/money';
import type { PreparedLine, PreparedTransaction } from '../transactions/transaction-validation';
import type { ImportMapping } from './import-mapping';
import type { ImportErrorInput, StagedRow } from './imports.repository';
import { cleanText, parseDateCell, parseNumberCell, toInstant } from './import-values';

/** Lines of one receipt may carry times this far apart (a till prints lines over a few minutes). */
export const RECEIPT_TIME_SPREAD_MS = 5 * 60 * 1000;

export interface AssembledReceipt {
  line: number;
  receiptId: string;
  transaction: Omit<PreparedTransaction, 'index'>;
  /** The customer reference as the file gives it; the processor resolves or creates it. */
  customer: { externalId?: string; phone?: string; memberNo?: string; id?: string } | null;
  notices: ImportErrorInput[];
}

export type AssemblyResult =
  { ok: AssembledReceipt } | { errors: ImportErrorInput[]; skipped?: boolean };

interface Context {
  source: string;
  currency: string;
  timeZone: string;
  headerOf: (field: string) => string;
  now: Date;
}

const CUSTOMER_FIELDS = [
  'customerId',
  'customerExternalId',
  'customerPhone',
  'customerMemberNo',
] as const;

/**
 * Turns the lines of one receipt (rows sharing the receipt column, wherever they sit in the
 * file) into one sale or return. Rules, all reported per line:
 * - quantity, unit price and date must parse; a receipt with an unreadable line is refused whole
 *   (importing it without the line would store a wrong total that a corrected file could not fix);
 * - lines with quantity 0 or unit price 0 are left out (a free item is not a purchase) and noted;
 *   a negative unit price (bad-debt adjustments) refuses the receipt;
 * - the lines must agree on customer and store, and their times on one receipt may spread over at
 *   most 5 minutes (the receipt takes the earliest); anything else is a `receipt_mismatch`;
 * - all quantities negative make a return (POS exports write returns that way), mixed signs are refused;
 *   a return that names no sale is an unlinked return.
 */
export function assembleReceipt(rows: StagedRow[], context: Context): AssemblyResult {
  const receiptId = rows[0].group_key!;
  const first = rows[0].line_no;
  const errors: ImportErrorInput[] = [];
  const notices: ImportErrorInput[] = [];
  const report = (
    list: ImportErrorInput[],
    line: number,
    field: string | undefined,
    code: string,
    message: string,
    value?: string,
  ) =>
    list.push({
      line,
      column: field ? context.headerOf(field) : null,
      value: value ?? null,
      code,
      message,
    });

  const receiptValue = (field: string): string | undefined | null => {
    const values = new Set(rows.map((r) => cleanText(r.record[field] ?? '')));
    if (values.size > 1) {
      report(
        errors,
        first,
        field,
        'receipt_mismatch',
        `The lines of receipt ${receiptId} disagree on ${field}: ${[...values].map((v) => v || '(empty)').join(', ')}.`,
      );
      return null;
    }
    return [...values][0] || undefined;
  };
  const customerValues = Object.fromEntries(CUSTOMER_FIELDS.map((f) => [f, receiptValue(f)]));
  const storeId = receiptValue('storeId');
  const currency = (receiptValue('currency') ?? context.currency)?.toUpperCase();
  const declaredType = receiptValue('type');
  const original = receiptValue('originalReceiptId');

  let earliest = Infinity;
  let latest = -Infinity;
  const lines: {
    line: number;
    sku: string;
    name: string | null;
    category: string | null;
    quantity: number;
    price: number;
    amount?: number;
  }[] = [];
  for (const row of rows) {
    const r = row.record;
    const quantity = parseNumberCell(r.quantity ?? '1');
    const price = parseNumberCell(r.unitPrice ?? '');
    const amount = r.amount !== undefined ? parseNumberCell(r.amount) : undefined;
    const date = parseDateCell(r.occurredAt ?? '');
    const sku = cleanText(r.sku ?? '');
    if (quantity === undefined)
      report(
        errors,
        row.line_no,
        'quantity',
        'invalid_quantity',
        'quantity is not a number.',
        r.quantity,
      );
    if (price === undefined && amount === undefined)
      report(
        errors,
        row.line_no,
        'unitPrice',
        'invalid_price',
        'unitPrice is not a number.',
        r.unitPrice,
      );
    if (r.amount !== undefined && amount === undefined)
      report(errors, row.line_no, 'amount', 'invalid_amount', 'amount is not a number.', r.amount);
    if (!date)
      report(
        errors,
        row.line_no,
        'occurredAt',
        'invalid_date',
        'The date must look like 2024-01-05 08:26, 2024/1/5 or 20240105.',
        r.occurredAt,
      );
    if (!sku || sku.length > 64)
      report(
        errors,
        row.line_no,
        'sku',
        'invalid_sku',
        'Every line needs a SKU of at most 64 characters.',
        r.sku,
      );
    if (date) {
      const at = toInstant(date, context.timeZone).getTime();
      earliest = Math.min(earliest, at);
      latest = Math.max(latest, at);
    }
    if (quantity === undefined || (price === undefined && amount === undefined) || !sku) continue;
    const unit = price ?? Math.abs(amount! / quantity);
    if (unit < 0) {
      report(
        errors,
        row.line_no,
        'unitPrice',
        'negative_price',
        'A negative unit price is an adjustment, not a sale or return.',
        r.unitPrice,
      );
      continue;
    }
    if (quantity === 0 || unit === 0) {
      report(
        notices,
        row.line_no,
        quantity === 0 ? 'quantity' : 'unitPrice',
        quantity === 0 ? 'zero_quantity' : 'zero_price',
        'Left out of the receipt: a line with nothing sold or nothing paid is not a purchase.',
        quantity === 0 ? r.quantity : r.unitPrice,
      );
      continue;
    }
    lines.push({
      line: row.line_no,
      sku,
      name: cleanText(r.itemName ?? '').slice(0, 200) || null,
      category: cleanText(r.category ?? '').slice(0, 64) || null,
      quantity,
      price: unit,
      amount,
    });
  }
  if (latest - earliest > RECEIPT_TIME_SPREAD_MS) {
    report(
      errors,
      first,
      'occurredAt',
      'receipt_mismatch',
      `The lines of receipt ${receiptId} are more than 5 minutes apart.`,
    );
  }
  if (!currency || !/^[A-Z]{3}$/.test(currency))
    report(
      errors,
      first,
      'currency',
      'invalid_currency',
      'No currency: map a currency column or set mapping.currency.',
    );
  const negatives = lines.filter((l) => l.quantity < 0).length;
  let type: 'sale' | 'return' = negatives ? 'return' : 'sale';
  if (declaredType) {
    if (declaredType !== 'sale' && declaredType !== 'return')
      report(errors, first, 'type', 'invalid_type', 'type is sale or return.', declaredType);
    else type = declaredType;
  } else if (negatives && negatives !== lines.length) {
    report(
      errors,
      first,
      'quantity',
      'mixed_signs',
      `Receipt ${receiptId} mixes sold and returned lines; split it or map a type column.`,
    );
  }
  if (errors.length) return { errors: [...errors, ...notices] };
  if (!lines.length)
    return {
      errors: [
        ...notices,
        {
          line: first,
          column: null,
          value: null,
          code: 'no_valid_lines',
          message: `Receipt ${receiptId} has no line with a quantity and a price; nothing to import.`,
        },
      ],
      skipped: true,
    };

  const exponent = currencyExponent(currency!);
  const scale = 10 ** exponent;
  const prepared: PreparedLine[] = lines.map((l, i) => {
    const quantity = Math.abs(l.quantity);
    // Half-up in minor units, on the magnitude: 3 × 0.835 = 2.505 → 2.51.
    const amountMinor = BigInt(
      l.amount !== undefined
        ? Math.round(Math.abs(l.amount) * scale)
        : Math.round(quantity * l.price * scale + 1e-9),
    );
    return {
      lineNo: i + 1,
      sku: l.sku,
      name: l.name,
      category: l.category,
      quantity,
      unitPriceMinor: BigInt(Math.round(l.price * scale)),
      amountMinor,
    };
  });
  const totalMinor = prepared.reduce((sum, l) => sum + l.amountMinor, 0n);
  const occurredAt = new Date(earliest);
  const customer = customerValues.customerId
    ? { id: customerValues.customerId }
    : customerValues.customerExternalId
      ? { externalId: customerValues.customerExternalId }
      : customerValues.customerPhone
        ? { phone: customerValues.customerPhone }
        : customerValues.customerMemberNo
          ? { memberNo: customerValues.customerMemberNo }
          : null;
  // The same receipt always hashes the same, so a re-import is a duplicate and a changed one a conflict.
  const hash = requestHash('TRANSACTION', '', {
    source: context.source,
    externalId: receiptId,
    type,
    occurredAt: occurredAt.toISOString(),
    storeId: storeId ?? null,
    customer,
    currency,
    total: fromMinorUnits(totalMinor, currency!),
    items: prepared.map((l) => ({
      sku: l.sku,
      name: l.name,
      category: l.category,
      quantity: l.quantity,
      unitPrice: fromMinorUnits(l.unitPriceMinor, currency!),
      amount: fromMinorUnits(l.amountMinor, currency!),
    })),
    originalExternalId: original ?? null,
  });
  return {
    ok: {
      line: first,
      receiptId,
      customer,
      notices,
      transaction: {
        hash,
        source: context.source,
        externalId: receiptId,
        type,
        occurredAt,
        storeId: storeId ?? null,
        customer: null,
        currency: currency!,
        exponent,
        totalMinor,
        itemCount: prepared.reduce((sum, l) => sum + l.quantity, 0),
        lines: prepared,
        originalExternalId: type === 'return' ? (original ?? null) : null,
        unlinked: type === 'return' && !original,
      },
    },
  };
}

export function mappingSource(mapping: ImportMapping): string {
  return mapping.source ?? mapping.namespace ?? 'import';
}
