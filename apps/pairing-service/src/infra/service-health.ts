import { Inject, Injectable } from '@nestjs/common';
import { JsonLogger } from '@twokey/service-kit';
import { FATAL_HANDLER, type FatalHandler } from '../tokens';

/** What /readyz reports, set by the parts that own each piece. */
@Injectable()
export class ServiceHealth {
  natsConnected = false;
  rehydrated = false;
  consumerRunning = false;
  private fatalError?: Error;

  constructor(
    private readonly logger: JsonLogger,
    @Inject(FATAL_HANDLER) private readonly onFatal: FatalHandler,
  ) {}

  get failed(): boolean {
    return this.fatalError !== undefined;
  }

  ready(): { ready: boolean; checks: Record<string, boolean> } {
    const checks = {
      nats: this.natsConnected,
      rehydrated: this.rehydrated,
      consumer: this.consumerRunning,
      failed: this.failed,
    };
    return { ready: checks.nats && checks.rehydrated && checks.consumer && !checks.failed, checks };
  }

  /** Stops deciding at once and hands over to the fatal handler (the process exits): never decide on a wrong state. */
  fatal(error: Error): void {
    if (this.fatalError) return;
    this.fatalError = error;
    this.logger.error('pairing-service cannot continue safely; stopping (fail closed)', { error });
    this.onFatal(error);
  }
}
