import type { Request, Response } from 'express';

/** Stable problem types (RFC 9457). Clients may switch on them; they never change meaning. */
export const PROBLEM_TYPES = {
  validation: { status: 400, title: 'Invalid request' },
  unauthorized: { status: 401, title: 'Authentication required' },
  csrf: { status: 403, title: 'CSRF token missing or invalid' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  expired: { status: 409, title: 'Expired' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'rate-limited': { status: 429, title: 'Too many failed attempts' },
  internal: { status: 500, title: 'Internal error' },
  upstream: { status: 502, title: 'The pairing-service failed' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ProblemKind = keyof typeof PROBLEM_TYPES;
export const PROBLEM_BASE = 'https://twokey.dev/problems/';

export interface FieldIssue {
  field: string;
  reason: string;
}

/** An error that is answered as problem+json. Thrown by handlers, guards and middleware alike. */
export class Problem extends Error {
  override readonly name = 'Problem';
  readonly status: number;
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly extras: { field?: string; errors?: FieldIssue[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail);
    this.status = PROBLEM_TYPES[kind].status;
  }

  static validation(field: string, reason: string, errors?: FieldIssue[]): Problem {
    return new Problem('validation', field ? `${field}: ${reason}` : reason, { field, errors: errors ?? [{ field, reason }] });
  }
  static notFound(detail: string): Problem {
    return new Problem('not-found', detail);
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  field?: string;
  errors?: FieldIssue[];
}

export function problemBody(p: Problem, instance: string): ProblemBody {
  return {
    type: PROBLEM_BASE + p.kind,
    title: PROBLEM_TYPES[p.kind].title,
    status: p.status,
    detail: p.detail,
    instance,
    ...(p.extras.field !== undefined ? { field: p.extras.field } : {}),
    ...(p.extras.errors ? { errors: p.extras.errors } : {}),
  };
}

/** Writes a problem response; usable from Nest filters and plain express middleware. */
export function sendProblem(req: Request, res: Response, p: Problem): void {
  if (res.headersSent) {
    // Mid-stream (NDJSON, SSE): cut the connection so the client cannot mistake a truncated answer for a whole one.
    res.destroy();
    return;
  }
  if (p.kind === 'unauthorized') res.setHeader('WWW-Authenticate', 'Bearer realm="twokey"');
  if (p.extras.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(p.extras.retryAfterSeconds));
  res.status(p.status).type('application/problem+json').send(JSON.stringify(problemBody(p, req.originalUrl.split('?')[0])));
}
