import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger, LoggerOptions } from 'pino';

/** Field names whose values never reach a log line, wherever they appear. */
export const REDACTED_FIELDS = [
  'phone',
  'email',
  'name',
  'address',
  'birthday',
  'idNumber',
  'password',
  'secret',
  'client_secret',
  'clientSecret',
  'token',
  'access_token',
  'authorization',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    messageKey: 'msg',
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        ...REDACTED_FIELDS,
        ...REDACTED_FIELDS.map((field) => `*.${field}`),
        ...REDACTED_FIELDS.map((field) => `*.*.${field}`),
      ],
      censor: '[REDACTED]',
    },
  };
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * Fastify gives every request a child logger bound to its request id. Building one (bindings
 * plus redaction) costs more than many handlers do, and most requests log nothing at the
 * configured level, so the child is built on the first line that will actually be written.
 */
export function lazyRequestLogger(
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  let child: FastifyBaseLogger | undefined;
  const real = () => (child ??= parent.child(bindings, options));
  const logger = {
    get level() {
      return (child ?? parent).level;
    },
    set level(level: string) {
      real().level = level;
    },
    silent: () => undefined,
    child: (more: Bindings, moreOptions?: ChildLoggerOptions) => real().child(more, moreOptions),
  } as unknown as FastifyBaseLogger;
  for (const level of LEVELS) {
    (logger as unknown as Record<string, unknown>)[level] = (...args: unknown[]) => {
      if (!child && !(parent as unknown as Logger).isLevelEnabled(level)) return;
      (real()[level] as (...a: unknown[]) => void)(...args);
    };
  }
  return logger;
}
