/**
 * Every event type Kehu emits. Subscriptions and feed filters are checked against this list so
 * a typo ("customer.create") is refused at once instead of silently never matching.
 */
export const EVENT_TYPES = [
  'customer.created',
  'customer.updated',
  'customer.merged',
  'customer.unmerged',
  'customer.archived',
  'customer.erased',
  'customer.birthday',
  'customer.lapsed',
  'identity.added',
  'transaction.created',
  'transaction.returned',
  'points.earned',
  'points.redeemed',
  'points.expiring',
  'points.expired',
  'points.adjusted',
  'tier.changed',
  'segment.entered',
  'segment.exited',
  'consent.changed',
  'feedback.created',
  'feedback.resolved',
  'feedback.overdue',
  'followup.due',
  'import.completed',
  'privacy.request.completed',
  'webhook.disabled',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Subscribes to every type, present and future. */
export const ALL_EVENTS = '*';

/**
 * Events used to reach customers with offers or greetings. Delivering one to a subscriber
 * passes through EventConsentPolicy first (PIPL/GDPR: use only for the consented purpose).
 */
export const MARKETING_EVENT_TYPES: ReadonlySet<string> = new Set([
  'customer.birthday',
  'customer.lapsed',
  'segment.entered',
  'segment.exited',
  'points.expiring',
  'tier.changed',
]);

export function isEventType(value: string): boolean {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
