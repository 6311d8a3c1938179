import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerServiceMetrics } from '@twokey/service-kit';
import type { DecisionTally } from './decisions';

export interface ProjectionGauges {
  position(): number;
  headPosition(): Promise<number>;
  /** Events applied so far, by type (counted by the projection; read on scrape, so replay pays nothing per event). */
  eventsByType(): ReadonlyMap<string, number>;
}

/** Prometheus metrics of one admin-api instance, in its own registry (several instances may share a process). */
export class AdminMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'twokey_admin_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'twokey_admin_http_request_duration_seconds',
    help: 'HTTP request duration by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly commands = new Counter({
    name: 'twokey_admin_commands_total',
    help: 'Commands sent to the pairing-service by verb and outcome (ok, or the error code)',
    labelNames: ['verb', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly commandDuration = new Histogram({
    name: 'twokey_admin_command_duration_seconds',
    help: 'Command round trip including the read-your-writes wait',
    labelNames: ['verb'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly readYourWritesTimeouts = new Counter({
    name: 'twokey_admin_read_your_writes_timeouts_total',
    help: 'Commands answered before the projection reached their position (bounded wait elapsed)',
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'twokey_admin_auth_failures_total',
    help: 'Failed authentication attempts',
    labelNames: ['via'] as const,
    registers: [this.registry],
  });
  readonly sseClients = new Gauge({
    name: 'twokey_admin_sse_clients',
    help: 'Open live-stream (SSE) connections',
    registers: [this.registry],
  });

  /** `decisions`: what the projection applied (absent in tests that only look at HTTP or SSE metrics). */
  constructor(projection: ProjectionGauges, decisions?: DecisionTally) {
    // Default process metrics under their standard names, as in every service (no twokey_admin_ prefix).
    registerServiceMetrics(this.registry, 'admin-api');
    const reportedDecisions = new Map<string, number>();
    new Counter({
      name: 'twokey_admin_decisions_total',
      help: 'Access decisions the read models applied, by connection and event type (MessageDenied: denied messages)',
      labelNames: ['connection', 'type'] as const,
      registers: [this.registry],
      collect() {
        for (const [connection, types] of decisions?.totals() ?? []) {
          for (const [type, n] of types) {
            const key = `${connection}\n${type}`;
            const delta = n - (reportedDecisions.get(key) ?? 0);
            if (delta > 0) this.inc({ connection, type }, delta);
            reportedDecisions.set(key, n);
          }
        }
      },
    });
    const reported = new Map<string, number>();
    new Counter({
      name: 'twokey_admin_projected_events_total',
      help: 'Events applied to the read models, by type (approvals, removals, denials are the decisions)',
      labelNames: ['type'] as const,
      registers: [this.registry],
      collect() {
        for (const [type, n] of projection.eventsByType()) {
          const delta = n - (reported.get(type) ?? 0);
          if (delta > 0) this.inc({ type }, delta);
          reported.set(type, n);
        }
      },
    });
    new Gauge({
      name: 'twokey_admin_projection_position',
      help: 'Global event position the read models reflect',
      registers: [this.registry],
      collect() {
        this.set(projection.position());
      },
    });
    new Gauge({
      name: 'twokey_admin_projection_lag_positions',
      help: 'How far the read models are behind the event store head (positions)',
      registers: [this.registry],
      async collect() {
        const head = await projection.headPosition().catch(() => projection.position());
        this.set(Math.max(0, head - projection.position()));
      },
    });
  }

  /** Counts and times every request by its route pattern (never the raw path: ids would explode the labels). */
  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const end = this.httpDuration.startTimer();
      res.once('finish', () => {
        const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
        end({ method: req.method, route });
        this.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    };
  }
}
