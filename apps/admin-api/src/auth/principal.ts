import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { Problem } from '../http/problem';
import type { Session } from './sessions';

/** Who is calling: an admin id, authenticated by bearer token or by session cookie. */
export interface AdminPrincipal {
  id: string;
  via: 'bearer' | 'session';
  session?: Session;
}

const principals = new WeakMap<Request, AdminPrincipal>();

export function setPrincipal(req: Request, p: AdminPrincipal): void {
  principals.set(req, p);
}

export function principalOf(req: Request): AdminPrincipal {
  const p = principals.get(req);
  // The auth middleware runs before every non-public route; reaching here without one is a wiring bug: fail closed.
  if (!p) throw new Problem('unauthorized', 'authentication required');
  return p;
}

/** Handler parameter: the authenticated admin. */
export const Admin = createParamDecorator((_: unknown, ctx: ExecutionContext): AdminPrincipal =>
  principalOf(ctx.switchToHttp().getRequest<Request>()),
);
