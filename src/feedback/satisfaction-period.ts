import { DomainError } from '../common/errors/domain-error';

const DAY = 86_400_000;

/** [from, to) of a results query: defaults to the 30 days before now; at most about two years. */
export function resolvePeriod(
  query: { from?: string; to?: string },
  now: Date,
): { from: Date; to: Date } {
  // Without an explicit end, "until now" includes what was recorded in this very millisecond.
  const to = query.to ? new Date(query.to) : new Date(now.getTime() + 1);
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY);
  if (from.getTime() >= to.getTime())
    throw DomainError.field('from', 'invalid_range', 'from must be before to');
  if (to.getTime() - from.getTime() > 732 * DAY)
    throw DomainError.field('from', 'invalid_range', 'a period spans at most two years');
  return { from, to };
}
