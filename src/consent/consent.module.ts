import { Module } from '@nestjs/common';
import { ConsentController } from './consent.controller';
import { ConsentRepository } from './consent.repository';
import { ConsentResolver } from './consent.resolver';
import { ConsentService } from './consent.service';

/** Consent per purpose × channel, and the enforcement other modules call (ConsentService). */
@Module({
  controllers: [ConsentController],
  providers: [ConsentRepository, ConsentService, ConsentResolver],
  exports: [ConsentService],
})
export class ConsentModule {}
