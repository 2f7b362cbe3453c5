import { Webhook } from 'standardwebhooks';
import { nextAttemptAt, retryDelayMs } from './delivery-backoff';
import { redactPii } from './pii-redaction';
import { generateWebhookSecret, isValidWebhookSecret, signWebhook } from './webhook-signature';
import { checkWebhookUrlSyntax, isPrivateAddress } from './webhook-url-guard';

describe('webhook delivery rules', () => {
  it('backs off exponentially with jitter, capped, and goes dead after 24 h', () => {
    expect(retryDelayMs(1, () => 0)).toBe(2500);
    expect(retryDelayMs(1, () => 1)).toBe(5000);
    expect(retryDelayMs(4, () => 1)).toBe(40000);
    expect(retryDelayMs(40, () => 1)).toBe(4 * 60 * 60 * 1000);
    const start = new Date('2026-11-23T00:00:00Z');
    expect(nextAttemptAt(start, new Date('2026-11-23T10:00:00Z'), 10, () => 0.5)).toBeInstanceOf(
      Date,
    );
    expect(nextAttemptAt(start, new Date('2026-11-23T23:59:00Z'), 10, () => 0.5)).toBeUndefined();
  });

  it('signs like the Standard Webhooks reference library, one signature per secret', () => {
    const secret = generateWebhookSecret();
    const old = generateWebhookSecret();
    expect(isValidWebhookSecret(secret)).toBe(true);
    expect(isValidWebhookSecret('whsec_short')).toBe(false);
    expect(isValidWebhookSecret('sk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(false);
    const now = new Date();
    const ts = Math.floor(now.getTime() / 1000);
    const header = signWebhook([secret, old], 'msg_1', ts, '{"a":1}');
    expect(header.split(' ')[0]).toBe(
      new Webhook(secret).sign('msg_1', new Date(ts * 1000), '{"a":1}'),
    );
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': header,
    };
    expect(new Webhook(old).verify('{"a":1}', headers)).toEqual({ a: 1 });
  });

  it('classifies private, loopback, link-local and mapped addresses', () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.5',
      '172.20.1.1',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.1.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:10.0.0.1',
    ]) {
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
    }
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700::1111'])
      expect([address, isPrivateAddress(address)]).toEqual([address, false]);
    expect(checkWebhookUrlSyntax('http://127.0.0.1:9/x', true).problem).toBeUndefined();
    expect(checkWebhookUrlSyntax('http://hooks.example.com', false).problem?.code).toBe(
      'https_required',
    );
  });

  it('removes personal data wherever it sits in a payload', () => {
    expect(
      redactPii({
        customerId: 'c1',
        phone: '1',
        pii: { name: 'x' },
        changes: { email: 'e', tier: 'gold' },
        identities: [{ type: 'phone', value: '1' }],
      }),
    ).toEqual({ customerId: 'c1', changes: { tier: 'gold' }, identities: [{ type: 'phone' }] });
  });
});
