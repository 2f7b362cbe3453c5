import { canonicalJson, chainHash, ChainedEntry, findBreak, GENESIS_HASH } from './audit-chain';

function chain(n: number): (ChainedEntry & { hash: string })[] {
  const out: (ChainedEntry & { hash: string })[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const entry: ChainedEntry = {
      tenantId: 't',
      seq,
      id: `id-${seq}`,
      occurredAt: '2026-11-23T00:00:00.000Z',
      actorKind: 'client',
      actorId: 'kc_1',
      action: 'customer.read',
      resource: 'GET /v1/customers/:id',
      customerIds: ['c1'],
      fields: ['phone'],
      outcome: 'success',
      requestId: 'r',
      ip: '127.0.0.1',
      details: { b: 1, a: [1, { d: 2, c: 3 }] },
      prevHash: prev,
    };
    const hash = chainHash(entry);
    out.push({ ...entry, hash });
    prev = hash;
  }
  return out;
}

describe('audit chain', () => {
  it('sorts keys so jsonb key order does not change the hash', () => {
    expect(canonicalJson({ b: 1, a: { d: null, c: 'x' } })).toBe('{"a":{"c":"x","d":null},"b":1}');
  });

  it('accepts an intact chain and reports the first altered, relinked or missing entry', () => {
    const intact = chain(5);
    expect(findBreak(intact, { seq: 0, hash: GENESIS_HASH }).break).toBeNull();

    const altered = chain(5);
    altered[2] = { ...altered[2], actorId: 'someone-else' };
    expect(findBreak(altered, { seq: 0, hash: GENESIS_HASH }).break).toEqual({
      seq: 3,
      id: 'id-3',
      reason: 'hash_mismatch',
    });

    const gap = chain(5).filter((e) => e.seq !== 4);
    expect(findBreak(gap, { seq: 0, hash: GENESIS_HASH }).break).toEqual({
      seq: 5,
      id: 'id-5',
      reason: 'missing_entry',
    });

    const relinked = chain(5);
    relinked[1] = { ...relinked[1], prevHash: 'f'.repeat(64) };
    expect(findBreak(relinked, { seq: 0, hash: GENESIS_HASH }).break?.reason).toBe(
      'prev_hash_mismatch',
    );
  });
});
