import { PiiCrypto } from '../src/common/crypto/pii-crypto.service';
import { TestApp, TenantClient } from './support/test-app';

describe('data quality: report and normalisation', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
  });
  afterAll(() => t.close());

  it('reports invalid, not normalised, missing, stale and duplicate data, and the batched pass fixes what it can', async () => {
    const crypto = t.app.get(PiiCrypto);
    const post = (body: Record<string, unknown>) =>
      t.http.post('/v1/customers').set('authorization', tenant.auth).send(body).expect(201);
    const messy = await post({ name: '张三', phone: '13800138000', email: 'zhang@example.com' });
    const broken = await post({ name: '李四', phone: '13800138001' });
    await post({ name: '王五', birthday: '1990-01-05' });
    await post({ name: '王五', birthday: '1990-01-05' });
    // Written before today's rules: full-width digits, upper case, padded name; and a number that is no phone.
    await t.sql(`UPDATE customers SET phone_enc = $2, email_enc = $3, name = $4 WHERE id = $1`, [
      messy.body.id,
      crypto.encrypt('１３８００１３８０００'),
      crypto.encrypt('Zhang@Example.COM'),
      '  张三\u3000 ',
    ]);
    await t.sql(
      `UPDATE customers SET phone_enc = $2, confirmed_at = now() - interval '400 days' WHERE id = $1`,
      [broken.body.id, crypto.encrypt('12345')],
    );

    const report = await t.http
      .get('/v1/reports/data-quality')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(report.body).toMatchObject({
      customers: 4,
      invalidPhones: 1,
      invalidEmails: 0,
      notNormalised: 1,
      staleProfiles: 1,
      missing: { phone: 2, email: 3, contact: 2 },
    });
    expect(report.body.likelyDuplicates).toBeGreaterThanOrEqual(1);
    expect(report.body.sample).toEqual(
      expect.arrayContaining([{ customerId: broken.body.id, problem: 'invalid_phone' }]),
    );

    const result = await t.http
      .post('/v1/cleaning/normalise')
      .set('authorization', tenant.auth)
      .send({})
      .expect(200);
    expect(result.body).toMatchObject({ scanned: 4, changed: 1, invalid: 1, conflicts: 0 });
    const after = await t.http
      .get(`/v1/customers/${messy.body.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(after.body.name).toBe('张三');
    await t.http
      .get('/v1/customers/lookup?email=zhang@example.com')
      .set('authorization', tenant.auth)
      .expect(200);
    const again = await t.http
      .get('/v1/reports/data-quality')
      .set('authorization', tenant.auth)
      .expect(200);
    expect(again.body.notNormalised).toBe(0);
  });
});
