import { SaleCoalescer, Settled } from './sale-coalescer';

/** A runner whose groups finish when the test says so; records every group it was given. */
function controlledRunner(outcome: (input: string) => Settled<string> = (i) => ok(i)) {
  const groups: string[][] = [];
  const finishers: (() => void)[] = [];
  const run = (inputs: string[]) => {
    groups.push(inputs);
    return new Promise<Settled<string>[]>((resolve) =>
      finishers.push(() => resolve(inputs.map(outcome))),
    );
  };
  const finishNext = async () => {
    finishers.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { run, groups, finishNext };
}

const ok = (input: string): Settled<string> => ({ ok: true, value: `done:${input}` });

describe('SaleCoalescer', () => {
  it('runs a lone sale at once as a group of one', async () => {
    const runner = controlledRunner();
    const coalescer = new SaleCoalescer(runner.run);
    const answer = coalescer.submit('tenant', 'a');
    expect(runner.groups).toEqual([['a']]);
    await runner.finishNext();
    await expect(answer).resolves.toBe('done:a');
  });

  it('groups the sales that arrive while one is in flight, in arrival order, capped', async () => {
    const runner = controlledRunner();
    const coalescer = new SaleCoalescer(runner.run, 3);
    const answers = ['a', 'b', 'c', 'd', 'e', 'f'].map((i) => coalescer.submit('tenant', i));
    expect(runner.groups).toEqual([['a']]);
    await runner.finishNext();
    expect(runner.groups).toEqual([['a'], ['b', 'c', 'd']]);
    await runner.finishNext();
    expect(runner.groups).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f']]);
    await runner.finishNext();
    await expect(Promise.all(answers)).resolves.toEqual(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((i) => `done:${i}`),
    );
    // The lane is gone: the next sale runs at once again.
    void coalescer.submit('tenant', 'g');
    expect(runner.groups).toHaveLength(4);
  });

  it('with two groups allowed in flight, builds the next group while one is in the database', async () => {
    const runner = controlledRunner();
    const coalescer = new SaleCoalescer(runner.run, 64, 2);
    const answers = ['a', 'b', 'c', 'd', 'e'].map((i) => coalescer.submit('tenant', i));
    expect(runner.groups).toEqual([['a'], ['b']]);
    await runner.finishNext();
    expect(runner.groups).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    await runner.finishNext();
    await runner.finishNext();
    await expect(Promise.all(answers)).resolves.toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((i) => `done:${i}`),
    );
  });

  it('keeps keys apart: another tenant does not wait', () => {
    const runner = controlledRunner();
    const coalescer = new SaleCoalescer(runner.run);
    void coalescer.submit('tenant-1', 'a');
    void coalescer.submit('tenant-2', 'b');
    void coalescer.submit('tenant-1', 'c');
    expect(runner.groups).toEqual([['a'], ['b']]);
  });

  it("gives a member's own error to that member only", async () => {
    const refused = new Error('return exceeds sold');
    const runner = controlledRunner((i) => (i === 'bad' ? { ok: false, error: refused } : ok(i)));
    const coalescer = new SaleCoalescer(runner.run);
    const first = coalescer.submit('tenant', 'a');
    const group = Promise.allSettled(['b', 'bad', 'c'].map((i) => coalescer.submit('tenant', i)));
    await runner.finishNext();
    await runner.finishNext();
    expect(runner.groups).toEqual([['a'], ['b', 'bad', 'c']]);
    await expect(first).resolves.toBe('done:a');
    expect(await group).toEqual([
      { status: 'fulfilled', value: 'done:b' },
      { status: 'rejected', reason: refused },
      { status: 'fulfilled', value: 'done:c' },
    ]);
  });

  it('runs each member of a failed group alone, so only the culprit sees the failure', async () => {
    const groups: string[][] = [];
    const broken = new Error('database said no');
    const coalescer = new SaleCoalescer<string, string>(async (inputs) => {
      groups.push(inputs);
      if (inputs.includes('culprit')) throw broken;
      return inputs.map(ok);
    });
    const answers = await Promise.allSettled(
      ['a', 'b', 'culprit', 'c'].map((i) => coalescer.submit('tenant', i)),
    );
    expect(answers).toEqual([
      { status: 'fulfilled', value: 'done:a' },
      { status: 'fulfilled', value: 'done:b' },
      { status: 'rejected', reason: broken },
      { status: 'fulfilled', value: 'done:c' },
    ]);
    expect(groups).toEqual([['a'], ['b', 'culprit', 'c'], ['b'], ['culprit'], ['c']]);
  });
});
