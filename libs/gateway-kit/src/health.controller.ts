import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { redactSecrets } from '@twokey/service-kit';
import { GatewayRuntime } from './gateway-runtime';

@Controller()
export class HealthController {
  constructor(@Inject(GatewayRuntime) private readonly gateway: GatewayRuntime) {}

  /** The process is up (liveness); answers while NATS is still unreachable. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** NATS connected and the adapter started; 503 with the adapter's start error otherwise (readiness). */
  @Get('readyz')
  readyz(@Res() res: Response): void {
    const { ready, checks } = this.gateway.readiness();
    // The adapter's start error is an answer to anyone who can reach the port: redacted like a log line.
    const safe = Object.fromEntries(Object.entries(checks).map(([k, v]) => [k, typeof v === 'string' ? redactSecrets(v) : v]));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks: safe });
  }

  @Get('metrics')
  async prometheus(@Res() res: Response): Promise<void> {
    const { registry } = this.gateway.metrics;
    res.type(registry.contentType).send(await registry.metrics());
  }
}
