import { currencyExponent } from '../common/money';
import type { PointsPosting } from '../loyalty/points-posting';
import type { ItemRow, TransactionRow } from './transactions.repository';

/**
 * The points a claimed receipt posts to its new customer: the sale earns on its lines, and each
 * return already made against it reverses its share in order (as if they had been posted then).
 */
export function claimPostings(
  sale: TransactionRow,
  items: ItemRow[],
  returns: TransactionRow[],
  customerId: string,
  actor: string,
): PointsPosting[] {
  const exponent = currencyExponent(sale.currency);
  const postings: PointsPosting[] = [
    {
      transactionId: sale.id,
      customerId,
      type: 'sale',
      occurredAt: sale.occurred_at,
      lines: items.map((i) => ({
        sku: i.sku,
        category: i.category,
        amountMinor: BigInt(i.amount_minor),
      })),
      netSpendMinor: BigInt(sale.total_minor),
      currencyExponent: exponent,
      source: sale.source,
      actor,
    },
  ];
  let returnedBefore = 0n;
  for (const r of returns) {
    postings.push({
      transactionId: r.id,
      customerId,
      type: 'return',
      occurredAt: r.occurred_at,
      lines: [],
      netSpendMinor: -BigInt(r.total_minor),
      currencyExponent: exponent,
      reversal: {
        saleTransactionId: sale.id,
        salePoints: 0,
        saleTotalMinor: BigInt(sale.total_minor),
        returnedBeforeMinor: returnedBefore,
        returnedNowMinor: BigInt(r.total_minor),
      },
      source: r.source,
      actor,
    });
    returnedBefore += BigInt(r.total_minor);
  }
  return postings;
}
