/**
 * The complaint-handling workflow of the manuals (receive → record → resolve → feed back) as
 * one explicit table. Everything the service allows is read from here; anything not listed is
 * a 409 `invalid_transition` naming the allowed targets.
 */
export const FEEDBACK_TYPES = ['complaint', 'suggestion', 'praise', 'inquiry'] as const;
export const FEEDBACK_CHANNELS = ['store', 'phone', 'wechat', 'email', 'web', 'survey'] as const;
export const FEEDBACK_SEVERITIES = ['low', 'normal', 'high', 'critical'] as const;
export const FEEDBACK_STATUSES = [
  'received',
  'acknowledged',
  'in_progress',
  'resolved',
  'reopened',
  'closed',
] as const;

export type FeedbackType = (typeof FEEDBACK_TYPES)[number];
export type FeedbackChannel = (typeof FEEDBACK_CHANNELS)[number];
export type FeedbackSeverity = (typeof FEEDBACK_SEVERITIES)[number];
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

/** from → allowed targets. */
export const FEEDBACK_TRANSITIONS: Readonly<Record<FeedbackStatus, readonly FeedbackStatus[]>> = {
  received: ['acknowledged'],
  acknowledged: ['in_progress'],
  in_progress: ['resolved'],
  resolved: ['closed', 'reopened'],
  reopened: ['in_progress'],
  closed: [],
};

/** Statuses in which an item still counts against its SLA (and can become overdue). */
export const OPEN_STATUSES: readonly FeedbackStatus[] = [
  'received',
  'acknowledged',
  'in_progress',
  'reopened',
];

export function allowedTransitions(from: FeedbackStatus): readonly FeedbackStatus[] {
  return FEEDBACK_TRANSITIONS[from] ?? [];
}

export function canTransition(from: FeedbackStatus, to: FeedbackStatus): boolean {
  return allowedTransitions(from).includes(to);
}

/** Hours to resolve by severity when the tenant has not configured its own (settings.feedback.slaHours). */
export const DEFAULT_SLA_HOURS: Readonly<Record<FeedbackSeverity, number>> = {
  critical: 4,
  high: 24,
  normal: 72,
  low: 168,
};

/** Merges a tenant's configured SLA hours over the defaults, ignoring anything not a positive number. */
export function slaHours(settings: unknown): Record<FeedbackSeverity, number> {
  const configured =
    (settings as { feedback?: { slaHours?: Record<string, unknown> } } | null)?.feedback
      ?.slaHours ?? {};
  const out = { ...DEFAULT_SLA_HOURS };
  for (const severity of FEEDBACK_SEVERITIES) {
    const value = configured[severity];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) out[severity] = value;
  }
  return out;
}

export function dueAt(createdAt: Date, severity: FeedbackSeverity, settings: unknown): Date {
  return new Date(createdAt.getTime() + slaHours(settings)[severity] * 3_600_000);
}
