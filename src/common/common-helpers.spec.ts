import { Writable } from 'node:stream';
import pino from 'pino';
import { DomainError } from './errors/domain-error';
import { assertIfMatch, etagFor } from './etag';
import { lazyRequestLogger, loggerOptions } from './http/logging';
import { flattenValidationErrors } from './http/validation';
import { decodeCursor, encodeCursor, toPage } from './pagination';
import { isUuid, uuid7 } from './uuid7';

describe('uuid7', () => {
  it('is a valid version-7 UUID that sorts by creation time', () => {
    const ids = Array.from({ length: 1000 }, () => uuid7());
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7');
      expect(['8', '9', 'a', 'b']).toContain(id[19]);
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stays monotonic for more ids at one timestamp than its 12-bit counter holds', () => {
    const at = Date.UTC(2026, 10, 23, 9, 0, 0);
    const ids = Array.from({ length: 20_000 }, () => uuid7(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const ms = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms(ids[0])).toBe(at);
    expect(ms(ids[ids.length - 1]) - at).toBeLessThanOrEqual(5);
  });

  it('encodes the millisecond timestamp in the first 48 bits', () => {
    const at = Date.UTC(2026, 10, 23, 8, 0, 0);
    expect(parseInt(uuid7(at).replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });
});

describe('cursor pagination', () => {
  it('round-trips an opaque cursor and refuses forged ones', () => {
    const position = { createdAt: '2026-11-23T08:00:00.000Z', id: uuid7() };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    expect(decodeCursor(undefined)).toBeUndefined();
    expect(() => decodeCursor('not-a-cursor')).toThrow(DomainError);
  });

  it('uses the extra row only to say there is a next page', () => {
    const rows = [3, 2, 1].map((n) => ({
      id: `id-${n}`,
      created_at: new Date(Date.UTC(2026, 0, n)),
    }));
    const page = toPage(rows, 2, (row) => row.id);
    expect(page.items).toEqual(['id-3', 'id-2']);
    expect(decodeCursor(page.nextCursor!)).toEqual({
      createdAt: '2026-01-02T00:00:00.000Z',
      id: 'id-2',
    });
    expect(toPage(rows, 3, (row) => row.id).nextCursor).toBeNull();
  });
});

describe('ETag / If-Match', () => {
  const current = etagFor('c1', 3);
  it('passes when absent, *, or matching (weak form too)', () => {
    expect(() => assertIfMatch(undefined, current)).not.toThrow();
    expect(() => assertIfMatch('*', current)).not.toThrow();
    expect(() => assertIfMatch(`W/${current}`, current)).not.toThrow();
    expect(() => assertIfMatch(`"x.1", ${current}`, current)).not.toThrow();
  });
  it('fails with 412 precondition_failed on a stale version', () => {
    expect(() => assertIfMatch(etagFor('c1', 2), current)).toThrow(
      expect.objectContaining({ code: 'precondition_failed', status: 412 }),
    );
  });
});

describe('validation error flattening', () => {
  it('names nested and array fields with their paths', () => {
    const errors = flattenValidationErrors([
      {
        property: 'items',
        value: [{}],
        children: [
          {
            property: '0',
            value: {},
            children: [
              {
                property: 'quantity',
                value: -1,
                constraints: { min: 'quantity must not be less than 1' },
                children: [],
              },
            ],
          },
        ],
      },
      {
        property: 'extra',
        value: 1,
        constraints: { whitelistValidation: 'property extra should not exist' },
        children: [],
      },
    ]);
    expect(errors).toEqual([
      {
        field: 'items[0].quantity',
        code: 'too_small',
        message: 'quantity must not be less than 1',
      },
      { field: 'extra', code: 'unknown_field', message: 'extra is not a known field' },
    ]);
  });
});

describe('log redaction', () => {
  it('never writes personal data or secrets, at any nesting', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino(loggerOptions('info'), sink);
    logger.info(
      {
        body: { phone: '13800138000', email: 'li@example.com', name: '李娜', password: 'p4ss' },
        req: { headers: { authorization: 'Bearer abc' } },
        customer: { address: { line: 'x' } },
        client_secret: 's3cret',
      },
      'request',
    );
    const text = lines.join('');
    for (const secret of ['13800138000', 'li@example.com', '李娜', 'p4ss', 'Bearer abc', 's3cret'])
      expect(text).not.toContain(secret);
    expect(text).toContain('[REDACTED]');
  });
});

describe('per-request logger', () => {
  const capture = (level: string) => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    return { lines, parent: pino(loggerOptions(level), sink) };
  };

  it('writes lines bound to the request id, still redacted', () => {
    const { lines, parent } = capture('info');
    const log = lazyRequestLogger(parent as never, { reqId: 'req-1' }, {});
    log.info({ body: { phone: '13800138000' } }, 'request');
    log.debug('below the level');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as { reqId: string; msg: string; body: { phone: string } };
    expect(line).toMatchObject({ reqId: 'req-1', msg: 'request' });
    expect(line.body.phone).toBe('[REDACTED]');
    expect(log.level).toBe('info');
  });

  it('builds no child logger for a request that logs nothing at the configured level', () => {
    const { lines, parent } = capture('warn');
    const child = jest.spyOn(parent, 'child');
    const log = lazyRequestLogger(parent as never, { reqId: 'req-2' }, {});
    log.info('request');
    expect(child).not.toHaveBeenCalled();
    log.error('boom');
    expect(child).toHaveBeenCalledTimes(1);
    expect(JSON.parse(lines[0])).toMatchObject({ reqId: 'req-2', msg: 'boom' });
  });
});
