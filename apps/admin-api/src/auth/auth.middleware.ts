import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Problem, sendProblem } from '../http/problem';
import type { AdminTokens } from './admin-tokens';
import type { CredentialLimiter } from './credential-limiter';
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
  limiter: CredentialLimiter;
}

/** The token of `Authorization: Bearer <token>`, or undefined for any other scheme (which can never match). */
function bearerToken(header: string): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

/**
 * Authenticates every non-public request before routing (so unknown paths also answer 401 to strangers):
 * `Authorization: Bearer <token>` or the session cookie. A cookie-authenticated state-changing request must also
 * carry `X-CSRF-Token`. A request without credentials is a plain 401 and counts for nothing: it is not a guess.
 * Only a presented bearer token or session cookie that does not match counts as a failed attempt (CredentialLimiter).
 */
export function authMiddleware({ tokens, sessions, limiter }: AuthDeps): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (isPublic(req.method, req.path)) return next();
    try {
      const header = req.headers.authorization;
      const token = header === undefined ? undefined : bearerToken(header);
      if (token !== undefined) {
        const { adminId } = limiter.check(req, 'bearer', token, () => tokens.verify(token), 'the bearer token is not valid');
        setPrincipal(req, { id: adminId, via: 'bearer' });
        return next();
      }
      const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
      // Another scheme (e.g. Basic from a proxy in front) is not ours: the session cookie may still authenticate.
      if (cookie) {
        const session = limiter.check(req, 'session', cookie, () => sessions.read(cookie), 'the session is not valid; log in again');
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
