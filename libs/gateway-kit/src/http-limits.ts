import type { Server } from 'node:http';
import type { GatewayConfig } from './config';

export const HTTP_LIMIT_DEFAULTS = { requestTimeoutMs: 15_000, headersTimeoutMs: 5_000, maxConnections: 256 } as const;

/**
 * L5: bounds on what one sender can hold of the gateway's HTTP server (webhooks, probes, metrics): a request must
 * be complete within `requestTimeoutMs`, its headers within `headersTimeoutMs`, and at most `maxConnections` are
 * open at once (Node destroys the sockets beyond it). Node checks the two timeouts every
 * `connectionsCheckingInterval` (30 s by default), read when the server starts listening: set here to a fraction
 * of the shorter timeout, so a slow sender is cut off close to its limit.
 */
export function applyHttpLimits(server: Server, http: GatewayConfig['http']): void {
  const requestTimeout = http.requestTimeoutMs ?? HTTP_LIMIT_DEFAULTS.requestTimeoutMs;
  const headersTimeout = Math.min(http.headersTimeoutMs ?? HTTP_LIMIT_DEFAULTS.headersTimeoutMs, requestTimeout);
  server.requestTimeout = requestTimeout;
  server.headersTimeout = headersTimeout;
  server.maxConnections = http.maxConnections ?? HTTP_LIMIT_DEFAULTS.maxConnections;
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4)));
}
