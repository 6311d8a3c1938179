import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ProbeAnswer } from '@twokey/service-kit';
import { Projection } from '../projection/projection';
import { AdminMetrics } from './metrics';
import { NatsStatus } from './nats-status';

/** Alive unless the projection failed. No error text (L4): probes answer without credentials; the error is logged. */
export function healthAnswer(projection: Projection): ProbeAnswer {
  const failed = projection.failed();
  return { status: failed ? 503 : 200, body: { status: failed ? 'failed' : 'ok' } };
}

/** Ready when NATS is connected and the read models have caught up with the log. */
export function readinessAnswer(natsStatus: NatsStatus, projection: Projection): ProbeAnswer {
  const nats = natsStatus.isConnected();
  const caughtUp = projection.isCaughtUp();
  return {
    status: nats && caughtUp ? 200 : 503,
    body: { status: nats && caughtUp ? 'ready' : 'not-ready', nats: nats ? 'connected' : 'disconnected', projection: { caughtUp, position: projection.position() } },
  };
}

/** Probes and metrics: no authentication (they reveal no allowlist data); with PROBE_PORT they move there. */
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
    const { status, body } = healthAnswer(this.projection);
    res.status(status).json(body);
  }

  @Get('readyz')
  readyz(@Res() res: Response): void {
    const { status, body } = readinessAnswer(this.natsStatus, this.projection);
    res.status(status).json(body);
  }

  @Get('metrics')
  async scrape(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
