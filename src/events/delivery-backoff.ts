/** Deliveries keep retrying for this long after the first attempt, then go dead. */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
const BASE_MS = 5_000;
const CAP_MS = 4 * 60 * 60 * 1000;

/**
 * Delay before retry number `failures` (1 = after the first failure): exponential from 5 s,
 * capped at 4 h, with "equal jitter" (half fixed, half random) so a recovering receiver is not
 * hit by every queued delivery in the same second.
 */
export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  const exponential = Math.min(CAP_MS, BASE_MS * 2 ** Math.min(Math.max(failures - 1, 0), 20));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** When to try again, or undefined when the delivery is out of its 24 h window and goes dead. */
export function nextAttemptAt(
  firstQueuedAt: Date,
  now: Date,
  failures: number,
  random?: () => number,
): Date | undefined {
  const at = new Date(now.getTime() + retryDelayMs(failures, random));
  if (at.getTime() - firstQueuedAt.getTime() > RETRY_WINDOW_MS) return undefined;
  return at;
}
