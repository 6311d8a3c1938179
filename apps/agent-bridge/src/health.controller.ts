import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { BridgeMetrics } from './metrics';

export const HEALTH = Symbol('BridgeHealth');

export interface BridgeHealth {
  ready(): { ready: boolean; checks: Record<string, boolean> };
}

@Controller()
export class HealthController {
  constructor(
    @Inject(HEALTH) private readonly health: BridgeHealth,
    private readonly metrics: BridgeMetrics,
  ) {}

  /** The process is up (liveness). */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** NATS connected and, with an agent configured, the admitted consumer running (readiness). */
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
