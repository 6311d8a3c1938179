import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Projection } from '../projection/projection';
import { AdminMetrics } from './metrics';
import { NatsStatus } from './nats-status';

/** Probes and metrics: no authentication (they reveal no allowlist data). */
@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    private readonly projection: Projection,
    private readonly metrics: AdminMetrics,
    private readonly natsStatus: NatsStatus,
  ) {}

  @Get('healthz')
  healthz(@Res() res: Response): void {
    const failed = this.projection.failed();
    // No error text (L4): probes answer without credentials; the error is in the log.
    res.status(failed ? 503 : 200).json({ status: failed ? 'failed' : 'ok' });
  }

  /** Ready when NATS is connected and the read models have caught up with the log. */
  @Get('readyz')
  readyz(@Res() res: Response): void {
    const nats = this.natsStatus.isConnected();
    const caughtUp = this.projection.isCaughtUp();
    res.status(nats && caughtUp ? 200 : 503).json({
      status: nats && caughtUp ? 'ready' : 'not-ready',
      nats: nats ? 'connected' : 'disconnected',
      projection: { caughtUp, position: this.projection.position() },
    });
  }

  @Get('metrics')
  async scrape(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
