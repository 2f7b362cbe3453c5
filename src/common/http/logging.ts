import type { LoggerOptions } from 'pino';

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
