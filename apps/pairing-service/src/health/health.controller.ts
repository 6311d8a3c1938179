import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PairingMetrics } from '../infra/metrics';
import { ServiceHealth } from '../infra/service-health';

@Controller()
export class HealthController {
  constructor(
    private readonly health: ServiceHealth,
    private readonly metrics: PairingMetrics,
  ) {}

  /** The process is up (liveness). */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** NATS connected, state rehydrated and the inbound consumer running (readiness). */
  @Get('readyz')
  readyz(@Res() res: Response): void {
    const { ready, checks } = this.health.ready();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks });
  }

  @Get('metrics')
  async prometheus(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
