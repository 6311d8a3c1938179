import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { ProbeAnswer } from '@twokey/service-kit';
import { PairingMetrics } from '../infra/metrics';
import { ServiceHealth } from '../infra/service-health';

/** NATS connected, state rehydrated and the inbound consumer running; booleans only. */
export function readinessAnswer(health: ServiceHealth): ProbeAnswer {
  const { ready, checks } = health.ready();
  return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not-ready', checks } };
}

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
    const { status, body } = readinessAnswer(this.health);
    res.status(status).json(body);
  }

  @Get('metrics')
  async prometheus(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
