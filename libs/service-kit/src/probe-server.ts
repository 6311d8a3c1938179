import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A probe's answer: the status code and a body of booleans and counts, never error text (it needs no credentials). */
export interface ProbeAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface ProbeHandlers {
  healthz(): ProbeAnswer;
  readyz(): ProbeAnswer;
  registry: Registry;
}

export const PROBE_PATHS: readonly string[] = ['/healthz', '/readyz', '/metrics'];

export interface ProbeServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Liveness, readiness and Prometheus metrics on their own port (PROBE_PORT), for the kubelet and the scraper only:
 * the service's main port, which a platform or a browser reaches, then answers none of them (L4). GET and HEAD;
 * anything else is 404/405 with an empty body.
 */
export async function startProbeServer(port: number, host: string, handlers: ProbeHandlers): Promise<ProbeServer> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (!PROBE_PATHS.includes(path)) return end(res, 404);
    if (req.method !== 'GET' && req.method !== 'HEAD') return end(res, 405, { Allow: 'GET, HEAD' });
    if (path === '/metrics') {
      handlers.registry.metrics().then(
        (text) => end(res, 200, { 'Content-Type': handlers.registry.contentType }, req.method === 'HEAD' ? '' : text),
        () => end(res, 500),
      );
      return;
    }
    const { status, body } = path === '/healthz' ? handlers.healthz() : handlers.readyz();
    end(res, status, { 'Content-Type': 'application/json; charset=utf-8' }, req.method === 'HEAD' ? '' : JSON.stringify(body));
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function end(res: ServerResponse, status: number, headers: Record<string, string> = {}, body = ''): void {
  res.writeHead(status, { 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

/**
 * Express/Nest middleware for the main port while probes live on PROBE_PORT: the probe paths answer 404 there, as
 * any unknown path does.
 */
export function hideProbePaths() {
  return (req: { path?: string; url?: string }, res: { status(code: number): { end(): void } }, next: () => void): void => {
    const path = req.path ?? (req.url ?? '').split('?')[0];
    if (PROBE_PATHS.includes(path)) res.status(404).end();
    else next();
  };
}
