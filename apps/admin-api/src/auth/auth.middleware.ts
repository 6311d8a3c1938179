import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Problem, sendProblem } from '../http/problem';
import type { AdminMetrics } from '../health/metrics';
import type { AdminTokens } from './admin-tokens';
import type { FailureLimiter } from './failure-limiter';
import { setPrincipal } from './principal';
import { SESSION_COOKIE, Sessions } from './sessions';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Routes reachable without credentials: probes, metrics, the login itself, and the console's pages and assets
 * (the console logs in from them). The OpenAPI document is not public: §6 leaves only health unauthenticated.
 */
export function isPublic(method: string, path: string): boolean {
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return method === 'GET' || method === 'HEAD';
  if (path === '/api/v1/session' && method === 'POST') return true;
  return path === '/' || path === '/login' || path === '/console' || path.startsWith('/console/');
}

export interface AuthDeps {
  tokens: AdminTokens;
  sessions: Sessions;
  limiter: FailureLimiter;
  metrics: AdminMetrics;
}

export type CredentialKind = 'bearer' | 'session' | 'login';

/**
 * What happens to a credential that was presented and did not match. A valid credential never comes here, so it
 * is accepted even while its address is limited.
 *
 * Why the limiter does not lock anyone out: admin tokens are high-entropy (npm start and deploy/secrets.js mint
 * 256 random bits; sessions are HMAC-signed), so guessing one is infeasible by entropy at any request rate — the
 * limiter is not what keeps a guesser out. If it refused the right token too, anyone sharing the admin's address
 * (NAT, proxy, the same host) could keep the admin out with ten bad requests a minute. What it does bound is the
 * work and the noise of guessing: once an address is limited, its wrong credentials get a cheap 429 with
 * Retry-After instead of a counted failure, a metric increment and a log-worthy 401.
 */
export function refuseWrongCredential(limiter: FailureLimiter, metrics: AdminMetrics, req: Request, how: CredentialKind, detail: string): never {
  const client = req.ip ?? 'unknown';
  const wait = limiter.retryAfterSeconds(client);
  if (wait > 0) throw new Problem('rate-limited', `too many failed attempts; retry in ${wait} s`, { retryAfterSeconds: wait });
  limiter.fail(client);
  metrics.authFailures.inc({ via: how });
  throw new Problem('unauthorized', detail);
}

/** The token of `Authorization: Bearer <token>`, or undefined for any other scheme (which can never match). */
function bearerToken(header: string): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

/**
 * Authenticates every non-public request before routing (so unknown paths also answer 401 to strangers):
 * `Authorization: Bearer <token>` or the session cookie. A cookie-authenticated state-changing request must also
 * carry `X-CSRF-Token`. A request without credentials is a plain 401 and counts for nothing: it is not a guess.
 * Only a presented bearer token or session cookie that does not match counts as a failed attempt.
 */
export function authMiddleware({ tokens, sessions, limiter, metrics }: AuthDeps): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (isPublic(req.method, req.path)) return next();
    try {
      const header = req.headers.authorization;
      const token = header === undefined ? undefined : bearerToken(header);
      if (token !== undefined) {
        const adminId = tokens.verify(token);
        if (adminId === undefined) refuseWrongCredential(limiter, metrics, req, 'bearer', 'the bearer token is not valid');
        setPrincipal(req, { id: adminId, via: 'bearer' });
        return next();
      }
      const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
      // Another scheme (e.g. Basic from a proxy in front) is not ours: the session cookie may still authenticate.
      if (cookie) {
        const session = sessions.read(cookie);
        if (!session || !tokens.has(session.adminId)) refuseWrongCredential(limiter, metrics, req, 'session', 'the session is not valid; log in again');
        if (UNSAFE_METHODS.has(req.method) && !sessions.checkCsrf(session, req.get('x-csrf-token'))) {
          throw new Problem('csrf', 'state-changing requests with a session cookie need the X-CSRF-Token header');
        }
        setPrincipal(req, { id: session.adminId, via: 'session', session });
        return next();
      }
      throw new Problem('unauthorized', 'send Authorization: Bearer <admin token>, or log in for a session');
    } catch (e) {
      if (e instanceof Problem) return sendProblem(req, res, e);
      return next(e);
    }
  };
}
