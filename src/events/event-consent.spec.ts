import { ConsentCheckInput, EventConsentPolicy } from './event-consent';
import { MARKETING_EVENT_TYPES } from './event-catalog';

const MARKETING = [...MARKETING_EVENT_TYPES][0];

function input(customerId: string, type = MARKETING): ConsentCheckInput {
  return {
    tenantId: 't',
    eventId: `e-${customerId}`,
    type,
    customerId,
    payload: {},
    subscriber: { kind: 'webhook', id: 'w' },
  };
}

describe('EventConsentPolicy', () => {
  it('asks a batch checker once for all marketing events, never for the others', async () => {
    const policy = new EventConsentPolicy();
    const calls: string[][] = [];
    policy.registerBatch((inputs) => {
      calls.push(inputs.map((i) => i.customerId!));
      return Promise.resolve(inputs.map((i) => i.customerId !== 'b'));
    });
    const answers = await policy.allowsMany([
      input('a'),
      input('x', 'customer.updated'),
      input('b'),
      input('c'),
    ]);
    expect(answers).toEqual([true, true, false, true]);
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect(await policy.allows(input('b'))).toBe(false);
  });

  it('turns a throwing check into an Error answer: per event for a per-event checker, for all for a batch one', async () => {
    const policy = new EventConsentPolicy();
    policy.register(({ customerId }) => {
      if (customerId === 'bad') throw new Error('consent store down');
      return true;
    });
    const answers = await policy.allowsMany([input('ok'), input('bad')]);
    expect(answers[0]).toBe(true);
    expect(answers[1]).toBeInstanceOf(Error);
    await expect(policy.allows(input('bad'))).rejects.toThrow('consent store down');

    policy.registerBatch(() => Promise.reject(new Error('down')));
    const failed = await policy.allowsMany([input('a'), input('y', 'customer.updated')]);
    expect(failed[0]).toBeInstanceOf(Error);
    expect(failed[1]).toBe(true);
  });
});
