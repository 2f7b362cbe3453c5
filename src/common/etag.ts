import { DomainError } from './errors/domain-error';

/** A strong ETag from a row's version counter. */
export function etagFor(id: string, version: number): string {
  return `"${id}.${version}"`;
}

/**
 * Optimistic concurrency: when the caller sent If-Match it must name the current version,
 * otherwise someone else wrote in between and this write would lose theirs (412).
 */
export function assertIfMatch(ifMatch: string | undefined, currentEtag: string): void {
  if (!ifMatch || ifMatch.trim() === '*') return;
  const candidates = ifMatch.split(',').map((value) => value.trim().replace(/^W\//, ''));
  if (!candidates.includes(currentEtag)) {
    throw new DomainError(
      'precondition_failed',
      'The resource changed since you read it; fetch it again and retry.',
      {
        extensions: { currentEtag },
      },
    );
  }
}
