import { nationalNumber } from './customer-normalisation';

/** Masks applied when the caller lacks `pii:read`: enough for staff to recognise, not to contact. */
export function maskPhone(e164: string): string {
  const national = nationalNumber(e164);
  if (national.length < 7) return '*'.repeat(national.length);
  return `${national.slice(0, 3)}${'*'.repeat(national.length - 7)}${national.slice(-4)}`;
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

export function maskText(value: string): string {
  return value ? '***' : value;
}
