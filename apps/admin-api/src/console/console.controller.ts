import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ConsoleAssets, StaticFile } from './console-assets';
import { ConsoleSessionCheck } from './console-session';
import { safeNext, setConsoleHeaders } from './security-headers';

function send(req: Request, res: Response, file: StaticFile, cache: 'page' | 'asset'): void {
  setConsoleHeaders(res, cache);
  res.setHeader('Content-Type', file.type);
  if (cache === 'asset') {
    res.setHeader('ETag', file.etag);
    if (req.headers['if-none-match'] === file.etag) {
      res.status(304).end();
      return;
    }
  }
  res.status(200).end(req.method === 'HEAD' ? undefined : file.body);
}

/**
 * The web console: `/` → `/console/`, the login page, the console's static assets (public: nothing secret in them)
 * and its pages. Every page checks the session cookie here, server-side, and sends a stranger to
 * `/login?next=…`; the API behind the pages checks it again on each call.
 */
@ApiExcludeController()
@Controller()
export class ConsoleController {
  constructor(
    @Inject(ConsoleAssets) private readonly files: ConsoleAssets,
    @Inject(ConsoleSessionCheck) private readonly session: ConsoleSessionCheck,
  ) {}

  @Get()
  root(@Res() res: Response): void {
    res.redirect(302, '/console/');
  }

  @Get('login')
  login(@Req() req: Request, @Res() res: Response): void {
    // Already logged in (the cookie was sent): go straight on.
    if (this.session.isLoggedIn(req)) {
      setConsoleHeaders(res, 'page');
      res.redirect(302, safeNext(req.query.next));
      return;
    }
    send(req, res, this.files.loginPage, 'page');
  }

  @Get('console/assets/*path')
  asset(@Param('path') path: string | string[], @Req() req: Request, @Res() res: Response): void {
    const file = this.files.asset(Array.isArray(path) ? path.join('/') : path);
    if (!file) {
      setConsoleHeaders(res, 'page');
      res.status(404).type('text/plain').end('not found');
      return;
    }
    send(req, res, file, 'asset');
  }

  @Get(['console', 'console/{*path}'])
  page(@Req() req: Request, @Res() res: Response): void {
    if (!this.session.isLoggedIn(req)) {
      setConsoleHeaders(res, 'page');
      res.redirect(302, `/login?next=${encodeURIComponent(safeNext(req.originalUrl))}`);
      return;
    }
    send(req, res, this.files.appPage, 'page');
  }
}
