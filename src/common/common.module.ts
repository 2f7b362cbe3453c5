import { Global, Module } from '@nestjs/common';
import { IdempotencyService } from './idempotency/idempotency.service';
import { PiiCrypto } from './crypto/pii-crypto.service';
import { Clock } from './clock';

/** Cross-cutting services every feature gets: idempotency store, PII encryption, clock. */
@Global()
@Module({
  providers: [IdempotencyService, PiiCrypto, Clock],
  exports: [IdempotencyService, PiiCrypto, Clock],
})
export class CommonModule {}
