import type { Request } from 'express';
import { SESSION_COOKIE, Sessions } from '../auth/sessions';

/** Whether a page request carries a valid session. A class so it is its own Nest injection token. */
export abstract class ConsoleSessionCheck {
  abstract isLoggedIn(req: Request): boolean;
}

/**
 * The same check the API's auth middleware makes for a cookie: a signed, unexpired, not-logged-out session of a
 * token that is still configured.
 */
export class CookieSessionCheck extends ConsoleSessionCheck {
  constructor(private readonly sessions: Sessions) {
    super();
  }

  isLoggedIn(req: Request): boolean {
    const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (typeof cookie !== 'string') return false;
    return this.sessions.read(cookie) !== undefined;
  }
}
