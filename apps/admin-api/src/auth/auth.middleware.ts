import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Problem, sendProblem } from '../http/problem';
import type { AdminMetrics } from '../health/metrics';
import type { AdminTokens } from './admin-tokens';
import type { FailureLimiter } from './failure-limiter';
import { setPrincipal } from './principal';
import { SESSION_COOKIE, Sessions } from './sessions';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Routes reachable without credentials: probes, metrics, the OpenAPI document, the login itself, console assets. */
export function isPublic(method: string, path: string): boolean {
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return method === 'GET' || method === 'HEAD';
  if (path === '/api/docs' || path.startsWith('/api/docs/') || path === '/api/docs-json') return true;
  if (path === '/api/v1/session' && method === 'POST') return true;
  return path === '/' || path === '/login' || path === '/console' || path.startsWith('/console/');
}

export interface AuthDeps {
  tokens: AdminTokens;
  sessions: Sessions;
  limiter: FailureLimiter;
  metrics: AdminMetrics;
}

/** Refuses a client that failed too often, before any token comparison. */
export function refuseIfLimited(limiter: FailureLimiter, req: Request): void {
  const wait = limiter.retryAfterSeconds(req.ip ?? 'unknown');
  if (wait > 0) throw new Problem('rate-limited', `too many failed attempts; retry in ${wait} s`, { retryAfterSeconds: wait });
}

/**
 * Authenticates every non-public request before routing (so unknown paths also answer 401 to strangers):
 * `Authorization: Bearer <token>` or the session cookie. A cookie-authenticated state-changing request must also
 * carry `X-CSRF-Token`. Failed attempts count per client address.
 */
export function authMiddleware({ tokens, sessions, limiter, metrics }: AuthDeps): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (isPublic(req.method, req.path)) return next();
    const client = req.ip ?? 'unknown';
    const fail: (detail: string, how: 'bearer' | 'session') => never = (detail, how) => {
      limiter.fail(client);
      metrics.authFailures.inc({ via: how });
      throw new Problem('unauthorized', detail);
    };
    try {
      const header = req.headers.authorization;
      if (header !== undefined) {
        refuseIfLimited(limiter, req);
        const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
        const adminId = m ? tokens.verify(m[1]) : undefined;
        if (adminId === undefined) fail('the bearer token is not valid', 'bearer');
        setPrincipal(req, { id: adminId, via: 'bearer' });
        return next();
      }
      const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
      if (cookie !== undefined) {
        refuseIfLimited(limiter, req);
        const session = sessions.read(cookie);
        if (!session || !tokens.has(session.adminId)) fail('the session is not valid; log in again', 'session');
        if (UNSAFE_METHODS.has(req.method) && !sessions.checkCsrf(session!, req.get('x-csrf-token'))) {
          throw new Problem('csrf', 'state-changing requests with a session cookie need the X-CSRF-Token header');
        }
        setPrincipal(req, { id: session!.adminId, via: 'session', session: session! });
        return next();
      }
      throw new Problem('unauthorized', 'send Authorization: Bearer <admin token>, or log in for a session');
    } catch (e) {
      if (e instanceof Problem) return sendProblem(req, res, e);
      return next(e);
    }
  };
}
