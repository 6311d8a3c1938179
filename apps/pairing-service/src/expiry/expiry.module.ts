import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { ExpiryScheduler } from './expiry-scheduler';

@Module({ imports: [StateModule], providers: [ExpiryScheduler] })
export class ExpiryModule {}
