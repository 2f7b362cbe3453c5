import { Clock } from '../src/common/clock';
import { uuid7 } from '../src/common/uuid7';
import { CustomerExtensions } from '../src/customers/customer-extensions';
import { ErasureService } from '../src/privacy/erasure.service';
import { TestApp, TenantClient } from './support/test-app';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const QUESTIONS = [
  { kind: 'nps', prompt: 'How likely are you to recommend us?' },
  { kind: 'csat', prompt: 'How satisfied were you with this visit?' },
  { kind: 'single_choice', prompt: 'What mattered most?', options: ['Price', 'Service'] },
  { kind: 'rating', prompt: 'Rate the fitting room', scaleMax: 10, required: false },
  { kind: 'text', prompt: 'Anything else?', required: false },
];

interface Survey {
  id: string;
  questions: Array<{ id: string; kind: string }>;
}

describe('surveys, results and the satisfaction report', () => {
  let t: TestApp;
  let tenant: TenantClient;
  let clock: Clock;

  async function newCustomer(auth = tenant.auth): Promise<string> {
    const response = await t.http
      .post('/v1/customers')
      .set('authorization', auth)
      .send({ name: '张三' })
      .expect(201);
    return response.body.id as string;
  }

  async function createSurvey(
    extra: Record<string, unknown> = {},
    auth = tenant.auth,
  ): Promise<Survey> {
    const response = await t.http
      .post('/v1/surveys')
      .set('authorization', auth)
      .send({ name: 'After purchase', questions: QUESTIONS, ...extra })
      .expect(201);
    return response.body as Survey;
  }

  /** Answers by kind: { nps: 9, csat: 4, single_choice: ['Price'] }. */
  function answers(survey: Survey, byKind: Record<string, unknown>) {
    return Object.entries(byKind).map(([kind, value]) => {
      const question = survey.questions.find((q) => q.kind === kind)!;
      if (Array.isArray(value)) return { questionId: question.id, choices: value };
      if (typeof value === 'string') return { questionId: question.id, text: value };
      return { questionId: question.id, score: value };
    });
  }

  function respond(survey: Survey, body: Record<string, unknown>, auth = tenant.auth) {
    return t.http.post(`/v1/surveys/${survey.id}/responses`).set('authorization', auth).send(body);
  }

  beforeAll(async () => {
    t = await TestApp.start();
    tenant = await t.tenant();
    clock = t.app.get(Clock);
  });
  beforeEach(() => clock.set('2026-11-23T08:00:00.000Z'));
  afterAll(async () => {
    clock.reset();
    await t.close();
  });

  it('creates a survey with every question kind and reads it back', async () => {
    const survey = await createSurvey({ rewardPoints: 20, storeId: 'store-001' });
    const read = await t.http
      .get(`/v1/surveys/${survey.id}`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(read.body).toMatchObject({
      allowRepeat: false,
      allowAnonymous: true,
      rewardPoints: 20,
      storeId: 'store-001',
    });
    expect(
      read.body.questions.map((q: { position: number; kind: string; scaleMax: number | null }) => [
        q.position,
        q.kind,
        q.scaleMax,
      ]),
    ).toEqual([
      [1, 'nps', null],
      [2, 'csat', null],
      [3, 'single_choice', null],
      [4, 'rating', 10],
      [5, 'text', null],
    ]);
    const listed = await t.http.get('/v1/surveys').set('authorization', tenant.auth).expect(200);
    expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(survey.id);
  });

  it('refuses a bad survey definition and writes nothing', async () => {
    const other = await t.tenant();
    const bad = await t.http
      .post('/v1/surveys')
      .set('authorization', other.auth)
      .send({
        name: 'x',
        questions: [
          { kind: 'single_choice', prompt: 'p', options: ['only'] },
          { kind: 'nps', prompt: 'p', options: ['a', 'b'] },
        ],
      })
      .expect(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'questions[0].options',
      'questions[1].options',
    ]);
    const kind = await t.http
      .post('/v1/surveys')
      .set('authorization', other.auth)
      .send({ name: 'x', questions: [{ kind: 'smiley', prompt: 'p' }] })
      .expect(422);
    expect(kind.body.errors.map((e: { field: string }) => e.field)).toEqual(['questions[0].kind']);
    await t.http.post('/v1/surveys').set('authorization', other.auth).send({}).expect(422);
    await t.http
      .post('/v1/surveys')
      .set('authorization', other.auth)
      .send({ name: 'x', questions: [] })
      .expect(422);
    expect(await t.count('surveys', 'tenant_id = $1', [other.tenantId])).toBe(0);
    expect(await t.count('survey_questions', 'tenant_id = $1', [other.tenantId])).toBe(0);
  });

  it('takes one response per customer, anonymous responses per link token, and repeats when allowed', async () => {
    const survey = await createSurvey();
    const customerId = await newCustomer();
    const first = await respond(survey, {
      customerId,
      storeId: 'store-A',
      answers: answers(survey, { nps: 9, csat: 4, single_choice: ['Price'], text: '好' }),
    }).expect(201);
    expect(first.body).toMatchObject({
      customerId,
      npsScore: 9,
      csatScore: 4,
      storeId: 'store-A',
      pointsAwarded: 0,
    });
    expect(first.body.answers).toHaveLength(4);

    const again = await respond(survey, {
      customerId,
      answers: answers(survey, { nps: 1, csat: 1, single_choice: ['Price'] }),
    }).expect(409);
    expect(again.body.code).toBe('conflict');

    await respond(survey, {
      linkToken: 'rcpt-1',
      answers: answers(survey, { nps: 10, csat: 5, single_choice: ['Service'] }),
    }).expect(201);
    await respond(survey, {
      linkToken: 'rcpt-1',
      answers: answers(survey, { nps: 10, csat: 5, single_choice: ['Service'] }),
    }).expect(409);
    expect(await t.count('survey_responses', 'survey_id = $1', [survey.id])).toBe(2);

    const repeatable = await createSurvey({ allowRepeat: true });
    await respond(repeatable, {
      customerId,
      answers: answers(repeatable, { nps: 9, csat: 4, single_choice: ['Price'] }),
    }).expect(201);
    await respond(repeatable, {
      customerId,
      answers: answers(repeatable, { nps: 8, csat: 4, single_choice: ['Price'] }),
    }).expect(201);
    expect(await t.count('survey_responses', 'survey_id = $1', [repeatable.id])).toBe(2);

    const named = await createSurvey({ allowAnonymous: false });
    const anonymous = await respond(named, {
      linkToken: 'x',
      answers: answers(named, { nps: 9, csat: 4, single_choice: ['Price'] }),
    }).expect(422);
    expect(anonymous.body.errors[0].field).toBe('customerId');
  });

  it('credits reward points to a known respondent once per response (reason survey_reward)', async () => {
    const survey = await createSurvey({ rewardPoints: 20 });
    const customerId = await newCustomer();
    const body = {
      customerId,
      answers: answers(survey, { nps: 9, csat: 4, single_choice: ['Price'] }),
    };
    const first = await respond(survey, body).expect(201);
    expect(first.body.pointsAwarded).toBe(20);
    await respond(survey, body).expect(409);
    const ledger = await t.sql<{ points: string; reason: string; external_id: string }>(
      `SELECT points, reason, external_id FROM points_ledger WHERE customer_id = $1`,
      [customerId],
    );
    expect(ledger).toEqual([{ points: '20', reason: 'survey_reward', external_id: first.body.id }]);
    const loyalty = await t.http
      .get(`/v1/customers/${customerId}/loyalty`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(loyalty.body.points.balance).toBe(20);

    const anonymous = await respond(survey, { linkToken: 'rw-1', answers: body.answers }).expect(
      201,
    );
    expect(anonymous.body.pointsAwarded).toBe(0);
    const repeatable = await createSurvey({ rewardPoints: 5, allowRepeat: true });
    const again = {
      customerId,
      answers: answers(repeatable, { nps: 9, csat: 4, single_choice: ['Price'] }),
    };
    await respond(repeatable, again).expect(201);
    await respond(repeatable, again).expect(201);
    expect(
      await t.count('points_ledger', `customer_id = $1 AND reason = 'survey_reward'`, [customerId]),
    ).toBe(3);
  });

  it('of two concurrent responses by one customer exactly one is stored', async () => {
    const survey = await createSurvey();
    const customerId = await newCustomer();
    const body = {
      customerId,
      answers: answers(survey, { nps: 9, csat: 4, single_choice: ['Price'] }),
    };
    const results = await Promise.all([respond(survey, body), respond(survey, body)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await t.count('survey_responses', 'survey_id = $1', [survey.id])).toBe(1);
  });

  describe('bad responses: clear 4xx, nothing written', () => {
    let survey: Survey;
    let customerId: string;
    const good = () => answers(survey, { nps: 9, csat: 4, single_choice: ['Price'] });
    const nothingWritten = async () =>
      expect(await t.count('survey_responses', 'survey_id = $1', [survey.id])).toBe(0);

    beforeAll(async () => {
      clock.set('2026-11-23T08:00:00.000Z');
      survey = await createSurvey({ rewardPoints: 10 });
      customerId = await newCustomer();
    });

    it('NPS 11', async () => {
      const response = await respond(survey, {
        customerId,
        answers: answers(survey, { nps: 11, csat: 4, single_choice: ['Price'] }),
      }).expect(422);
      expect(response.body.errors).toEqual([
        expect.objectContaining({ field: 'answers[0].score', code: 'out_of_range' }),
      ]);
      await nothingWritten();
    });

    it('an answer to a question not in the survey', async () => {
      const other = await createSurvey();
      const response = await respond(survey, {
        customerId,
        answers: [...good(), { questionId: other.questions[0].id, score: 9 }],
      }).expect(422);
      expect(response.body.errors).toEqual([
        expect.objectContaining({ field: 'answers[3].questionId', code: 'unknown_question' }),
      ]);
      await nothingWritten();
    });

    it.each([
      ['empty body', {}, 'answers'],
      ['no respondent', { answers: [] }, 'answers'],
      [
        'text over 10,000 characters',
        { linkToken: 'l', extraText: 'x'.repeat(10_001) },
        'answers[3].text',
      ],
      ['unknown customer', { customerId: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20' }, 'customerId'],
      ['unknown field', { customerId: 'c', mood: 1 }, 'mood'],
      [
        'a choice that is not an option',
        { linkToken: 'l', choice: ['Parking'] },
        'answers[2].choices',
      ],
      ['a missing required answer', { linkToken: 'l', drop: 'csat' }, 'answers'],
    ])('%s', async (_label, spec: Record<string, unknown>, field) => {
      let body: Record<string, unknown> = {};
      if (Object.keys(spec).length) {
        let list = good();
        if (spec.extraText)
          list = [...list, { questionId: survey.questions[4].id, text: spec.extraText as string }];
        if (spec.choice) list = answers(survey, { nps: 9, csat: 4, single_choice: spec.choice });
        if (spec.drop) list = answers(survey, { nps: 9, single_choice: ['Price'] });
        body = { answers: spec.answers ?? list };
        if (spec.customerId)
          body.customerId = spec.customerId === 'c' ? customerId : spec.customerId;
        if (spec.linkToken) body.linkToken = spec.linkToken;
        if (spec.mood) body.mood = spec.mood;
      }
      const response = await respond(survey, body).expect(422);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      await nothingWritten();
    });

    it('an unknown survey is 404', async () => {
      await t.http
        .post(`/v1/surveys/${uuid7()}/responses`)
        .set('authorization', tenant.auth)
        .send({ customerId, answers: good() })
        .expect(404);
    });
  });

  it('computes NPS, CSAT and distributions overall, per store and per month in the tenant time zone', async () => {
    const survey = await createSurvey();
    const [c1, c2] = [await newCustomer(), await newCustomer()];
    const at = async (instant: string, body: Record<string, unknown>) => {
      clock.set(instant);
      await respond(survey, body).expect(201);
    };
    await at('2026-10-15T04:00:00Z', {
      customerId: c1,
      storeId: 'store-A',
      answers: answers(survey, { nps: 10, csat: 5, single_choice: ['Service'] }),
    });
    await at('2026-10-20T04:00:00Z', {
      linkToken: 't1',
      storeId: 'store-A',
      answers: answers(survey, { nps: 9, csat: 4, single_choice: ['Price'], rating: 8 }),
    });
    // 20:00 UTC on 31 October is 04:00 on 1 November in Shanghai: November's bucket.
    await at('2026-10-31T20:00:00Z', {
      customerId: c2,
      storeId: 'store-B',
      answers: answers(survey, { nps: 3, csat: 2, single_choice: ['Service'], text: 'slow' }),
    });
    await at('2026-11-10T04:00:00Z', {
      linkToken: 't2',
      storeId: 'store-B',
      answers: answers(survey, { nps: 7, csat: 4, single_choice: ['Service'] }),
    });

    const results = await t.http
      .get(
        `/v1/surveys/${survey.id}/results?from=2026-10-01T00:00:00%2B08:00&to=2026-12-01T00:00:00%2B08:00`,
      )
      .set('authorization', tenant.auth)
      .expect(200);
    expect(results.body).toMatchObject({
      responses: 4,
      nps: { score: 25, promoters: 2, passives: 1, detractors: 1, responses: 4 },
      csat: { mean: 3.75, satisfiedPercent: 75, distribution: [0, 1, 0, 2, 1], responses: 4 },
    });
    expect(
      results.body.byStore.map(
        (g: { key: string; nps: { score: number }; csat: { mean: number } }) => [
          g.key,
          g.nps.score,
          g.csat.mean,
        ],
      ),
    ).toEqual([
      ['store-A', 100, 4.5],
      ['store-B', -50, 3],
    ]);
    expect(
      results.body.byPeriod.map((g: { key: string; responses: number; nps: { score: number } }) => [
        g.key,
        g.responses,
        g.nps.score,
      ]),
    ).toEqual([
      ['2026-10-01', 2, 100],
      ['2026-11-01', 2, -50],
    ]);
    const [, , choice, rating, text] = results.body.questions;
    expect(choice).toMatchObject({
      answered: 4,
      distribution: [
        { value: 'Price', count: 1 },
        { value: 'Service', count: 3 },
      ],
    });
    expect(rating).toMatchObject({ answered: 1, mean: 8 });
    expect(rating.distribution).toHaveLength(10);
    expect(text).toMatchObject({ answered: 1, distribution: [] });

    const storeB = await t.http
      .get(
        `/v1/surveys/${survey.id}/results?from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z&storeId=store-B&interval=day`,
      )
      .set('authorization', tenant.auth)
      .expect(200);
    expect(storeB.body.byPeriod.map((g: { key: string }) => g.key)).toEqual([
      '2026-11-01',
      '2026-11-10',
    ]);
    expect(storeB.body.nps.score).toBe(-50);

    await t.http
      .get(`/v1/surveys/${survey.id}/results?interval=year`)
      .set('authorization', tenant.auth)
      .expect(422);
    await t.http
      .get(`/v1/surveys/${survey.id}/results?from=2026-12-01&to=2026-11-01`)
      .set('authorization', tenant.auth)
      .expect(422);
  });

  it('reports satisfaction: NPS, CSAT, complaints by category and store, response and resolution times, SLA breaches', async () => {
    const other = await t.tenant();
    const T0 = Date.parse('2026-11-23T08:00:00.000Z');
    const post = (body: Record<string, unknown>) =>
      t.http
        .post('/v1/feedback')
        .set('authorization', other.auth)
        .send({ channel: 'store', subject: 's', body: 'b', ...body })
        .expect(201);
    const move = (id: string, body: Record<string, unknown>) =>
      t.http
        .post(`/v1/feedback/${id}/transitions`)
        .set('authorization', other.auth)
        .send(body)
        .expect(200);
    const { body: a } = await post({ type: 'complaint', severity: 'high', storeId: 'store-A' });
    const { body: b } = await post({ type: 'complaint', severity: 'high', storeId: 'store-A' });
    await post({ type: 'complaint', severity: 'critical', storeId: 'store-B' });
    await post({ type: 'complaint', severity: 'low', storeId: 'store-B' });
    await post({ type: 'suggestion', severity: 'low', storeId: 'store-C' });

    clock.set(new Date(T0 + 30 * MINUTE));
    await move(a.id, { to: 'acknowledged' });
    await move(a.id, { to: 'in_progress' });
    clock.set(new Date(T0 + 90 * MINUTE));
    await move(b.id, { to: 'acknowledged' });
    await move(b.id, { to: 'in_progress' });
    clock.set(new Date(T0 + 2 * HOUR));
    await move(a.id, { to: 'resolved', resolution: 'exchanged', category: 'fulfilment' });
    clock.set(new Date(T0 + 30 * HOUR));
    await move(b.id, { to: 'resolved', resolution: 'refunded', category: 'product_quality' });

    const survey = await createSurvey({}, other.auth);
    await respond(
      survey,
      { linkToken: 'r1', answers: answers(survey, { nps: 9, csat: 5, single_choice: ['Price'] }) },
      other.auth,
    ).expect(201);

    clock.set(new Date(T0 + 31 * HOUR));
    const report = await t.http
      .get('/v1/reports/satisfaction')
      .set('authorization', other.auth)
      .expect(200);
    expect(report.body).toMatchObject({
      nps: { score: 100, responses: 1 },
      csat: { mean: 5, responses: 1 },
      complaints: {
        total: 4,
        byCategory: [
          { key: '(uncategorised)', count: 2 },
          { key: 'fulfilment', count: 1 },
          { key: 'product_quality', count: 1 },
        ],
        byStore: [
          { key: 'store-A', count: 2 },
          { key: 'store-B', count: 2 },
        ],
      },
      // first responses 30 and 90 minutes; resolutions 120 and 1,800 minutes (percentile_cont).
      timeToFirstResponse: { count: 2, medianMinutes: 60, p90Minutes: 84 },
      timeToResolution: { count: 2, medianMinutes: 960, p90Minutes: 1632 },
      // resolved in time (a), resolved late (b), open past due (critical); the low one is not due yet.
      sla: { measured: 3, breached: 2, breachRatePercent: 66.7 },
    });

    const storeB = await t.http
      .get('/v1/reports/satisfaction?storeId=store-B')
      .set('authorization', other.auth)
      .expect(200);
    expect(storeB.body.complaints.total).toBe(2);
    expect(storeB.body.sla).toEqual({ measured: 1, breached: 1, breachRatePercent: 100 });

    const feedbackOnly = await t.client(other, ['feedback:read']);
    await t.http
      .get('/v1/reports/satisfaction')
      .set('authorization', feedbackOnly.auth)
      .expect(403);
  });

  it('moves responses to the survivor on merge, keeping one response per one-response survey', async () => {
    const survey = await createSurvey();
    const [survivor, source] = [await newCustomer(), await newCustomer()];
    await respond(survey, {
      customerId: survivor,
      answers: answers(survey, { nps: 9, csat: 4, single_choice: ['Price'] }),
    }).expect(201);
    await respond(survey, {
      customerId: source,
      answers: answers(survey, { nps: 5, csat: 2, single_choice: ['Price'] }),
    }).expect(201);
    await t.database.withTenant(tenant.tenantId, (tx) =>
      t.app.get(CustomerExtensions).runMergeHandlers(tx, survivor, [source]),
    );
    expect(
      await t.count('survey_responses', 'survey_id = $1 AND customer_id = $2', [
        survey.id,
        survivor,
      ]),
    ).toBe(2);
    expect(
      await t.count('survey_responses', 'survey_id = $1 AND dedupe_key = $2', [
        survey.id,
        `c:${survivor}`,
      ]),
    ).toBe(1);
    await respond(survey, {
      customerId: survivor,
      answers: answers(survey, { nps: 9, csat: 4, single_choice: ['Price'] }),
    }).expect(409);
  });

  it('erasing a customer keeps their scores anonymously and scrubs their words', async () => {
    const survey = await createSurvey();
    const customerId = await newCustomer();
    const response = await respond(survey, {
      customerId,
      answers: answers(survey, {
        nps: 2,
        csat: 1,
        single_choice: ['Price'],
        text: '张三 13800138000',
      }),
    }).expect(201);
    const item = await t.http
      .post('/v1/feedback')
      .set('authorization', tenant.auth)
      .send({
        customerId,
        type: 'complaint',
        channel: 'phone',
        subject: 'Call me on 13800138000',
        body: 'private',
        storeId: 's1',
      })
      .expect(201);
    await t.http
      .post(`/v1/feedback/${item.body.id}/notes`)
      .set('authorization', tenant.auth)
      .send({ body: 'lives at 1 Main St' })
      .expect(201);

    await t.database.withTenant(tenant.tenantId, (tx) =>
      t.app.get(ErasureService).erase(tx, customerId, clock.now(), 'privacy_request'),
    );

    const [row] = await t.sql<{
      customer_id: string | null;
      nps_score: number;
      answers: Array<{ text?: string }>;
    }>(`SELECT customer_id, nps_score, answers FROM survey_responses WHERE id = $1`, [
      response.body.id,
    ]);
    expect(row.customer_id).toBeNull();
    expect(row.nps_score).toBe(2);
    expect(JSON.stringify(row.answers)).not.toContain('13800138000');
    const [feedback] = await t.sql<{ subject: string; body: string }>(
      `SELECT subject, body FROM feedback WHERE id = $1`,
      [item.body.id],
    );
    expect(feedback).toEqual({ subject: '[erased]', body: '[erased]' });
    expect(
      await t.count('feedback_notes', `feedback_id = $1 AND body LIKE '%Main St%'`, [item.body.id]),
    ).toBe(0);
    const results = await t.http
      .get(`/v1/surveys/${survey.id}/results`)
      .set('authorization', tenant.auth)
      .expect(200);
    expect(results.body.nps).toMatchObject({ responses: 1, detractors: 1 });
  });

  it('GraphQL mirrors surveys, results and the report', async () => {
    const created = await t.graphql(
      tenant.auth,
      `mutation($input: CreateSurveyInput!) { createSurvey(input: $input) { id questions { id kind } } }`,
      { input: { name: 'gql', questions: QUESTIONS.slice(0, 3) } },
    );
    expect(created.body.errors).toBeUndefined();
    const survey = created.body.data.createSurvey as Survey;
    const submitted = await t.graphql(
      tenant.auth,
      `mutation($id: ID!, $input: SubmitSurveyResponseInput!) { submitSurveyResponse(surveyId: $id, input: $input) { npsScore csatScore } }`,
      {
        id: survey.id,
        input: {
          linkToken: 'g1',
          answers: answers(survey, { nps: 10, csat: 3, single_choice: ['Service'] }),
        },
      },
    );
    expect(submitted.body.data.submitSurveyResponse).toEqual({ npsScore: 10, csatScore: 3 });
    const refused = await t.graphql(
      tenant.auth,
      `mutation($id: ID!, $input: SubmitSurveyResponseInput!) { submitSurveyResponse(surveyId: $id, input: $input) { npsScore } }`,
      {
        id: survey.id,
        input: {
          linkToken: 'g2',
          answers: answers(survey, { nps: 11, csat: 3, single_choice: ['Service'] }),
        },
      },
    );
    expect(refused.body.errors[0].extensions).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ field: 'answers[0].score' })],
    });
    const results = await t.graphql(
      tenant.auth,
      `query($id: ID!) { surveyResults(id: $id) { responses nps { score } csat { mean distribution } } }`,
      { id: survey.id },
    );
    expect(results.body.data.surveyResults).toEqual({
      responses: 1,
      nps: { score: 100 },
      csat: { mean: 3, distribution: [0, 0, 1, 0, 0] },
    });
    const report = await t.graphql(
      tenant.auth,
      `{ satisfactionReport { complaints { total } sla { breachRatePercent } } }`,
    );
    expect(report.body.errors).toBeUndefined();
  });
});
