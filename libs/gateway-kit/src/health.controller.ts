import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { ProbeAnswer } from '@twokey/service-kit';
import { GatewayRuntime } from './gateway-runtime';

/** NATS connected and the adapter started; 503 otherwise. Booleans only: an adapter error may quote a credential. */
export function readinessAnswer(gateway: GatewayRuntime): ProbeAnswer {
  const { ready, checks } = gateway.readiness();
  return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not-ready', checks } };
}

@Controller()
export class HealthController {
  constructor(@Inject(GatewayRuntime) private readonly gateway: GatewayRuntime) {}

  /** The process is up (liveness); answers while NATS is still unreachable. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness (readinessAnswer). */
  @Get('readyz')
  readyz(@Res() res: Response): void {
    const { status, body } = readinessAnswer(this.gateway);
    res.status(status).json(body);
  }

  @Get('metrics')
  async prometheus(@Res() res: Response): Promise<void> {
    const { registry } = this.gateway.metrics;
    res.type(registry.contentType).send(await registry.metrics());
  }
}
