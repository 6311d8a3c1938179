import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonLogger } from '@twokey/service-kit';
import type { GatewayMetrics } from './metrics';
import type { WebhookRoute } from './platform-adapter';

/** Larger webhook bodies are refused with 413 before any parsing (a Telegram update is at most a few KiB of text). */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export interface Readiness {
  ready: boolean;
  checks: Record<string, boolean | string>;
}

export interface GatewayHttpOptions {
  host: string;
  port: number;
  readiness: () => Readiness;
  metrics: GatewayMetrics;
  routes: () => WebhookRoute[];
  logger: JsonLogger;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
      } else chunks.push(c);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * A thin node:http server: health, readiness, Prometheus metrics and the adapter's webhook routes (exact path,
 * raw body kept for signature checks).
 */
export class GatewayHttpServer {
  private server?: Server;

  constructor(private readonly o: GatewayHttpOptions) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => void this.dispatch(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => resolve());
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method === 'GET' && path === '/healthz') return json(res, 200, { status: 'ok' });
      if (req.method === 'GET' && path === '/readyz') {
        const r = this.o.readiness();
        return json(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not-ready', checks: r.checks });
      }
      if (req.method === 'GET' && path === '/metrics') {
        const body = await this.o.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': this.o.metrics.registry.contentType }).end(body);
        return;
      }
      const route = this.o.routes().find((r) => r.path === path);
      if (!route) return json(res, 404, { error: 'not found' });
      if (req.method !== route.method) return json(res, 405, { error: 'method not allowed' });
      let raw: Buffer;
      try {
        raw = await readBody(req, MAX_WEBHOOK_BODY_BYTES);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          this.o.logger.error('webhook body too large; refused', { path, limitBytes: MAX_WEBHOOK_BODY_BYTES });
          return json(res, 413, { error: 'payload too large' });
        }
        throw e;
      }
      await route.handle(req, res, raw);
      if (!res.writableEnded && !res.headersSent) res.writeHead(200).end();
    } catch (e) {
      this.o.logger.error('HTTP request failed', { path, error: e });
      json(res, 500, { error: 'internal error' });
    }
  }
}
