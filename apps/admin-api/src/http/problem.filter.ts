import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ContractViolation } from '@twokey/contracts';
import { InvalidCursor } from '@twokey/read-models';
import type { JsonLogger } from '@twokey/service-kit';
import { Problem, ProblemKind, sendProblem } from './problem';

const BY_STATUS: Record<number, ProblemKind> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'csrf',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
  502: 'upstream',
  503: 'unavailable',
};

/** Any thrown error → RFC 9457 problem+json. Unexpected errors are logged and answered without internals. */
export function toProblem(e: unknown): Problem {
  if (e instanceof Problem) return e;
  if (e instanceof ContractViolation) return Problem.validation(e.field, e.reason, e.issues);
  if (e instanceof InvalidCursor) return Problem.validation('cursor', e.message);
  if (e instanceof HttpException) {
    const status = e.getStatus();
    const kind = BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'validation');
    return new Problem(kind, kind === 'not-found' ? 'no such route' : e.message);
  }
  return new Problem('internal', 'an unexpected error occurred; it has been logged');
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly log: JsonLogger) {}

  catch(e: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const problem = toProblem(e);
    if (problem.kind === 'internal') this.log.error('request failed', { path: req.path, method: req.method, error: e });
    sendProblem(req, http.getResponse<Response>(), problem);
  }
}
