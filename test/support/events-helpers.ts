import { Clock } from '../../src/common/clock';
import { EventSequencer } from '../../src/events/event-sequencer.service';
import { OutboxEvent, OutboxService } from '../../src/events/outbox.service';
import { WebhookDispatcher } from '../../src/events/webhook-dispatcher.service';
import type { TestApp } from './test-app';

/** Records events the way feature modules do: OutboxService inside a tenant transaction. */
export async function emit(t: TestApp, tenantId: string, events: OutboxEvent[]): Promise<void> {
  const outbox = t.app.get(OutboxService);
  await t.database.withTenant(tenantId, async (tx) => {
    for (const event of events) await outbox.record(tx, event);
  });
}

/** What the background loops do, run to completion once: sequence, then deliver until idle. */
export async function pump(t: TestApp, tenantId: string): Promise<number> {
  await t.app.get(EventSequencer).sequenceTenant(tenantId);
  let total = 0;
  for (let n; (n = await t.app.get(WebhookDispatcher).dispatchTenant(tenantId)) > 0;) total += n;
  return total;
}

export function clockOf(t: TestApp): Clock {
  return t.app.get(Clock);
}

export const HOUR = 60 * 60 * 1000;
