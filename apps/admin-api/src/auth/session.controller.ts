import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import { Problem } from '../http/problem';
import { ApiDoc } from '../http/openapi';
import { LoginBody, SessionView } from '../http/schemas';
import type { AdminApiConfig } from '../config';
import { ADMIN_API_CONFIG } from '../tokens';
import { AdminTokens } from './admin-tokens';
import { CredentialLimiter } from './credential-limiter';
import { Admin, AdminPrincipal } from './principal';
import { SESSION_COOKIE, Sessions } from './sessions';

/** Browser login for the console: exchange an admin token for an HttpOnly, SameSite=Strict session cookie. */
@ApiTags('session')
@Controller('api/v1/session')
export class SessionController {
  constructor(
    private readonly tokens: AdminTokens,
    private readonly sessions: Sessions,
    private readonly limiter: CredentialLimiter,
    @Inject(ADMIN_API_CONFIG) config: AdminApiConfig,
  ) {
    this.publicHttps = config.PUBLIC_URL?.startsWith('https:') ?? false;
  }

  private readonly publicHttps: boolean;

  private cookieOptions(req: Request): CookieOptions {
    // `req.secure` honours X-Forwarded-Proto only when TRUST_PROXY trusts the proxy; an https PUBLIC_URL says the
    // console is served over TLS whatever the proxy in front reports (L7).
    return { httpOnly: true, sameSite: 'strict', secure: req.secure || this.publicHttps, path: '/' };
  }

  @Post()
  @HttpCode(200)
  @ApiDoc({ summary: 'Logs in with an admin token; sets the session cookie and returns the CSRF token', body: LoginBody, response: SessionView })
  login(@Body() raw: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const token = typeof (raw as { token?: unknown } | undefined)?.token === 'string' ? (raw as { token: string }).token : '';
    // No token is no guess: a plain 401 that does not count against the address.
    if (token === '') throw new Problem('unauthorized', 'send { "token": "<admin token>" }');
    const match = this.limiter.check(req, 'login', token, () => this.tokens.verify(token), 'the token is not valid');
    const { session, cookie } = this.sessions.create(match);
    res.cookie(SESSION_COOKIE, cookie, { ...this.cookieOptions(req), maxAge: this.sessions.ttl * 1000 });
    res.setHeader('Cache-Control', 'no-store');
    return { admin: { id: match.adminId }, via: 'session', csrfToken: this.sessions.csrfToken(session), expiresAt: new Date(session.expiresAt).toISOString() };
  }

  @Get()
  @ApiDoc({ summary: 'The current admin, and the CSRF token of the session (null for bearer requests)', response: SessionView })
  current(@Admin() admin: AdminPrincipal, @Res({ passthrough: true }) res: Response) {
    res.setHeader('Cache-Control', 'no-store');
    return {
      admin: { id: admin.id },
      via: admin.via,
      csrfToken: admin.session ? this.sessions.csrfToken(admin.session) : null,
      expiresAt: admin.session ? new Date(admin.session.expiresAt).toISOString() : null,
    };
  }

  @Delete()
  @HttpCode(204)
  @ApiDoc({ summary: 'Logs out: revokes the session on every replica and clears the cookie', status: 204, problems: [403] })
  async logout(@Admin() admin: AdminPrincipal, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    if (admin.session) await this.sessions.revoke(admin.session);
    res.clearCookie(SESSION_COOKIE, this.cookieOptions(req));
  }
}
