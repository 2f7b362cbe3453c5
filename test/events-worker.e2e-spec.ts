import { emit } from './support/events-helpers';
import { TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

describe('events worker: background loops deliver without anyone driving them', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await TestApp.start({ KEHU_WEBHOOK_ALLOW_PRIVATE: 'true' }, { background: true });
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await t.close(); // stops the loops and waits for in-flight deliveries
    await receiver.close();
  });

  it('sequences and delivers committed events on its own, in per-customer order', async () => {
    const tenant = await t.tenant();
    await t.http
      .post('/v1/webhooks')
      .set('authorization', tenant.auth)
      .send({ url: receiver.url('/ok/background'), events: ['points.earned'] })
      .expect(201);
    const customer = '0193a8f2-0000-7000-8000-00000000000c';
    for (let n = 1; n <= 5; n++)
      await emit(t, tenant.tenantId, [
        { type: 'points.earned', customerId: customer, payload: { n } },
      ]);
    const deadline = Date.now() + 15_000;
    while (receiver.at('/ok/background').length < 5 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(receiver.at('/ok/background').map((r) => r.json.data.data.n)).toEqual([1, 2, 3, 4, 5]);
    const seqs = await t.sql<{ n: string }>(
      `SELECT count(*) AS n FROM event_seqs WHERE tenant_id = $1`,
      [tenant.tenantId],
    );
    expect(Number(seqs[0].n)).toBe(5);
  });
});
