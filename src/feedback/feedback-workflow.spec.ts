import {
  allowedTransitions,
  canTransition,
  dueAt,
  FEEDBACK_STATUSES,
  FEEDBACK_TRANSITIONS,
  slaHours,
} from './feedback-workflow';

describe('feedback workflow table', () => {
  it('allows exactly the documented transitions', () => {
    const pairs = FEEDBACK_STATUSES.flatMap((from) =>
      FEEDBACK_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}>${to}`),
    );
    expect(pairs.sort()).toEqual(
      [
        'received>acknowledged',
        'acknowledged>in_progress',
        'in_progress>resolved',
        'resolved>closed',
        'resolved>reopened',
        'reopened>in_progress',
      ].sort(),
    );
  });

  it('closed is terminal and every target is a known status', () => {
    expect(allowedTransitions('closed')).toEqual([]);
    for (const targets of Object.values(FEEDBACK_TRANSITIONS))
      for (const to of targets) expect(FEEDBACK_STATUSES).toContain(to);
  });

  it('SLA defaults and tenant overrides', () => {
    expect(slaHours({})).toEqual({ critical: 4, high: 24, normal: 72, low: 168 });
    expect(slaHours({ feedback: { slaHours: { critical: 2, high: 'x', low: -1 } } })).toEqual({
      critical: 2,
      high: 24,
      normal: 72,
      low: 168,
    });
    const created = new Date('2026-11-23T00:00:00Z');
    expect(dueAt(created, 'critical', null).toISOString()).toBe('2026-11-23T04:00:00.000Z');
    expect(dueAt(created, 'low', {}).toISOString()).toBe('2026-11-30T00:00:00.000Z');
  });
});
