import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { AdmittedPublisher } from './admitted-publisher';
import { InboundDeadLetters } from './dead-letters';
import { DenialBuffer } from './denial-buffer';
import { InboundConsumer } from './inbound-consumer';
import { InboundHandler } from './inbound-handler';

/** Inbound messages: durable consumer, decision, admitted publishing, coalesced denials, dead letters. */
@Module({
  imports: [StateModule],
  providers: [InboundConsumer, InboundHandler, DenialBuffer, AdmittedPublisher, InboundDeadLetters],
  exports: [InboundConsumer],
})
export class InboundModule {}
