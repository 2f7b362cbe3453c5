import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyService } from './idempotency/idempotency.service';
import { PiiCrypto } from './crypto/pii-crypto.service';
import { Clock } from './clock';

/** Cross-cutting behaviour every feature gets: Idempotency-Key on POST, PII encryption. */
@Global()
@Module({
  providers: [
    IdempotencyService,
    PiiCrypto,
    Clock,
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
  exports: [IdempotencyService, PiiCrypto, Clock],
})
export class CommonModule {}
