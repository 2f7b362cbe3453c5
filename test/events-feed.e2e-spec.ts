import { EventConsentPolicy } from '../src/events/event-consent';
import { EventSequencer } from '../src/events/event-sequencer.service';
import { OutboxService } from '../src/events/outbox.service';
import { emit } from './support/events-helpers';
import { TestApp, TenantClient } from './support/test-app';

const CUSTOMER = '0193a8f2-0000-7000-8000-00000000000a';

describe('events: pull feed and its ordering guarantee', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const feed = async (tenant: TenantClient, query = '') =>
    (await t.http.get(`/v1/events${query}`).set('authorization', tenant.auth).expect(200)).body;

  it('pages through events by seq with a cursor and filters by type', async () => {
    const tenant = await t.tenant();
    await emit(t, tenant.tenantId, [
      { type: 'customer.created', customerId: CUSTOMER, payload: { n: 1 } },
      {
        type: 'transaction.created',
        customerId: CUSTOMER,
        subjectType: 'transaction',
        subjectId: 'r-1',
        payload: { n: 2 },
      },
      { type: 'customer.updated', customerId: CUSTOMER, payload: { n: 3 } },
    ]);
    const first = await feed(tenant, '?limit=2');
    expect(first.items.map((e: { seq: string }) => e.seq)).toEqual(['1', '2']);
    expect(first.items[1]).toMatchObject({
      type: 'transaction.created',
      subjectType: 'transaction',
      subjectId: 'r-1',
      data: { n: 2 },
    });
    const second = await feed(tenant, `?after=${first.nextCursor}`);
    expect(second.items.map((e: { data: { n: number } }) => e.data.n)).toEqual([3]);
    const empty = await feed(tenant, `?after=${second.nextCursor}`);
    expect(empty).toEqual({ items: [], nextCursor: second.nextCursor });
    const typed = await feed(tenant, '?types=customer.created,customer.updated');
    expect(typed.items.map((e: { type: string }) => e.type)).toEqual([
      'customer.created',
      'customer.updated',
    ]);

    const bad = await t.http
      .get('/v1/events?types=customer.create')
      .set('authorization', tenant.auth)
      .expect(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'types', code: 'unknown_event_type' });
    await t.http.get('/v1/events?after=abc').set('authorization', tenant.auth).expect(422);
    const other = await t.tenant();
    expect((await feed(other)).items).toEqual([]); // tenants never see each other's events
  });

  it('never skips an event whose transaction commits after later events were already read', async () => {
    const tenant = await t.tenant();
    const outbox = t.app.get(OutboxService);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let recorded!: () => void;
    const inside = new Promise<void>((resolve) => (recorded = resolve));
    // A slow transaction writes its event first (earlier created_at) but commits last.
    const slow = t.database.withTenant(tenant.tenantId, async (tx) => {
      await outbox.record(tx, {
        type: 'customer.updated',
        customerId: CUSTOMER,
        payload: { which: 'late' },
      });
      recorded();
      await gate;
    });
    await inside;
    await emit(t, tenant.tenantId, [
      { type: 'customer.updated', customerId: CUSTOMER, payload: { which: 'early' } },
    ]);
    const before = await feed(tenant);
    expect(before.items.map((e: { data: { which: string } }) => e.data.which)).toEqual(['early']);
    release();
    await slow;
    const after = await feed(tenant, `?after=${before.nextCursor}`);
    expect(
      after.items.map((e: { data: { which: string }; seq: string }) => [e.data.which, e.seq]),
    ).toEqual([['late', '2']]);
  });

  it('gives a poller every event exactly once while writers and two sequencers run concurrently', async () => {
    const tenant = await t.tenant();
    const sequencer = t.app.get(EventSequencer);
    const seen: string[] = [];
    let cursor = '0';
    let writing = true;
    const writers = Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 25; i++) {
          await emit(t, tenant.tenantId, [
            { type: 'points.earned', customerId: CUSTOMER, payload: { key: `${w}-${i}` } },
          ]);
        }
      }),
    ).finally(() => (writing = false));
    const sequencers = (async () => {
      while (writing)
        await Promise.all([
          sequencer.sequenceTenant(tenant.tenantId),
          sequencer.sequenceTenant(tenant.tenantId),
        ]);
    })();
    const poll = async () => {
      const page = await feed(tenant, `?after=${cursor}&limit=500`);
      seen.push(...page.items.map((e: { data: { key: string } }) => e.data.key));
      cursor = page.nextCursor;
    };
    while (writing) await poll();
    await writers;
    await sequencers;
    await poll();
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
    const seqs = await t.sql<{ seq: string }>(
      `SELECT seq FROM event_seqs WHERE tenant_id = $1 ORDER BY seq`,
      [tenant.tenantId],
    );
    expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: 100 }, (_, i) => i + 1)); // gap-free
  });

  it('removes personal data for readers without pii:read and leaves out marketing events without consent', async () => {
    const tenant = await t.tenant();
    await emit(t, tenant.tenantId, [
      {
        type: 'customer.created',
        customerId: CUSTOMER,
        payload: {
          email: 'a@example.com',
          identities: [{ type: 'phone', value: '+8613800000000' }],
          tier: 'member',
        },
      },
      { type: 'customer.birthday', customerId: CUSTOMER, payload: { month: 11 } },
      {
        type: 'customer.birthday',
        customerId: '0193a8f2-0000-7000-8000-00000000000b',
        payload: { month: 11 },
      },
    ]);
    const reader = await t.client(tenant, ['webhooks:admin']);
    const limited = await feed(reader);
    expect(limited.items[0].data).toEqual({ identities: [{ type: 'phone' }], tier: 'member' });
    expect((await feed(tenant)).items[0].data.email).toBe('a@example.com');

    const policy = t.app.get(EventConsentPolicy);
    policy.register(({ customerId }) => customerId !== CUSTOMER);
    try {
      const page = await feed(tenant);
      expect(
        page.items.map((e: { type: string; customerId: string }) => [e.type, e.customerId]),
      ).toEqual([
        ['customer.created', CUSTOMER],
        ['customer.birthday', '0193a8f2-0000-7000-8000-00000000000b'],
      ]);
      expect(page.nextCursor).toBe('3');
    } finally {
      policy.register(() => true);
    }
  });
});
