import {
  AttributeDefinitionLike,
  computeCompleteness,
  HARD_FIELDS,
  validateAttributes,
} from './customer-completeness';

const soft = (
  key: string,
  weight = 1,
  extra: Partial<AttributeDefinitionLike> = {},
): AttributeDefinitionLike => ({
  key,
  type: 'string',
  options: [],
  group: 'soft',
  weight,
  ...extra,
});
const allHard = Object.fromEntries(HARD_FIELDS.map((f) => [f, true]));

describe('completeness', () => {
  it('is 0 for an empty profile and 100 for a full one', () => {
    const defs = [soft('work'), soft('hobbies')];
    expect(computeCompleteness({}, {}, defs)).toBe(0);
    expect(computeCompleteness(allHard, { work: 'teacher', hobbies: 'tea' }, defs)).toBe(100);
  });
  it('weights hard data 20 % and soft data 80 % by default', () => {
    const defs = [soft('work'), soft('hobbies')];
    expect(computeCompleteness(allHard, {}, defs)).toBe(20);
    expect(computeCompleteness({}, { work: 'teacher', hobbies: 'tea' }, defs)).toBe(80);
    expect(computeCompleteness({}, { work: 'teacher' }, defs)).toBe(40);
  });
  it('uses definition weights inside a group and tenant weights between groups', () => {
    const defs = [soft('work', 3), soft('hobbies', 1)];
    expect(computeCompleteness({}, { work: 'x' }, defs)).toBe(60);
    expect(computeCompleteness(allHard, {}, defs, { hard: 50, soft: 50 })).toBe(50);
  });
  it('lets hard data count fully while no soft attributes are defined', () => {
    expect(computeCompleteness(allHard, {}, [])).toBe(100);
    expect(computeCompleteness({ name: true, phone: true, email: true }, {}, [])).toBe(33);
  });
  it('treats empty strings and lists as missing', () => {
    expect(
      computeCompleteness({}, { work: '', hobbies: [] }, [
        soft('work'),
        soft('hobbies', 1, { type: 'multi_enum' }),
      ]),
    ).toBe(0);
  });
});

describe('attribute validation', () => {
  const defs = new Map<string, AttributeDefinitionLike>([
    ['style', soft('style', 1, { type: 'enum', options: ['minimal', 'classic'] })],
    ['hobbies', soft('hobbies', 1, { type: 'multi_enum', options: ['hiking', 'tea'] })],
    ['kids', soft('kids', 1, { type: 'number' })],
    ['vip', soft('vip', 1, { type: 'boolean' })],
    ['since', soft('since', 1, { type: 'date' })],
    ['work', soft('work')],
  ]);
  it('accepts valid values and null (clear)', () => {
    expect(
      validateAttributes(
        {
          style: 'minimal',
          hobbies: ['tea'],
          kids: 2,
          vip: true,
          since: '2020-01-01',
          work: 'teacher',
        },
        defs,
      ),
    ).toEqual([]);
    expect(validateAttributes({ style: null }, defs)).toEqual([]);
  });
  it('names each offending attribute', () => {
    const errors = validateAttributes(
      {
        nope: 1,
        style: 'punk',
        hobbies: ['tea', 'golf'],
        kids: '2',
        vip: 'yes',
        since: 'yesterday',
        work: 5,
      },
      defs,
    );
    expect(errors.map((e) => [e.field, e.code])).toEqual([
      ['attributes.nope', 'unknown_attribute'],
      ['attributes.style', 'not_allowed'],
      ['attributes.hobbies', 'not_allowed'],
      ['attributes.kids', 'wrong_type'],
      ['attributes.vip', 'wrong_type'],
      ['attributes.since', 'wrong_type'],
      ['attributes.work', 'wrong_type'],
    ]);
  });
});
