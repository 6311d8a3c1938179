import { applyDecorators, INestApplication } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { Express, NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { ProblemSchema } from './schemas';

/** zod → OpenAPI 3.0 schema object: one schema serves validation and documentation. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json as SchemaObject;
}

const problem = (status: number, description: string) =>
  ApiResponse({ status, description, content: { 'application/problem+json': { schema: openApiSchema(ProblemSchema) } } });

/** Documents a route: body and query from the request schemas, the success answer, and the usual problems. */
export function ApiDoc(spec: {
  summary: string;
  status?: number;
  response?: z.ZodType;
  body?: z.ZodType;
  query?: z.ZodObject;
  problems?: number[];
}) {
  const decorators: Array<MethodDecorator & ClassDecorator> = [
    ApiResponse({ status: spec.status ?? 200, description: spec.summary, ...(spec.response ? { schema: openApiSchema(spec.response) } : {}) }),
    problem(401, 'Missing or invalid credentials'),
    problem(429, PROBLEM_DESCRIPTIONS[429]),
    ...(spec.problems ?? []).map((s) => problem(s, PROBLEM_DESCRIPTIONS[s] ?? 'Problem')),
  ];
  if (spec.body) decorators.push(ApiBody({ schema: openApiSchema(spec.body, 'input') }) as MethodDecorator & ClassDecorator);
  for (const [name, field] of Object.entries(spec.query?.shape ?? {})) {
    decorators.push(ApiQuery({ name, required: !(field as z.ZodType).safeParse(undefined).success, schema: openApiSchema(field as z.ZodType, 'input') }));
  }
  return applyDecorators(...decorators);
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; `field` names the offending field',
  403: 'Cookie session without a valid X-CSRF-Token',
  404: 'Unknown connection or resource',
  409: 'State conflict (already decided, expired, concurrent change)',
  429: 'Wrong credentials after too many failed attempts from this address (Retry-After); right ones still pass',
  503: 'The pairing-service did not answer',
};

export function openApiConfig() {
  return new DocumentBuilder()
    .setTitle('Twokey admin API')
    .setDescription(
      'Pairing and two-keyed authorization for chat bots. Every route but /healthz, /readyz, /metrics (and the ' +
        'login) needs `Authorization: Bearer <admin token>` or the session cookie (plus `X-CSRF-Token` on state ' +
        'changes); so does this document. Errors are RFC 9457 problem+json with stable `type` URIs under ' +
        'https://twokey.dev/problems/.',
    )
    .setVersion('1')
    // Admin tokens are opaque random strings checked against configured hashes, not JWTs.
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'An admin token' }, 'bearer')
    .addCookieAuth('twokey_session', { type: 'apiKey', in: 'cookie', description: 'Console session from POST /api/v1/session' }, 'cookie')
    // Two entries: either one authenticates.
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('cookie')
    .build();
}

export const OPENAPI_PATH = 'api/docs';

/**
 * Serves the OpenAPI document: Swagger UI at /api/docs for browsers, the JSON document at /api/docs when the
 * request prefers application/json, and at /api/docs-json and /api/docs-yaml. All behind authentication (the
 * auth middleware runs first), and the document is built once, on first use.
 */
export function serveOpenApi(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  const build = () => (document ??= SwaggerModule.createDocument(app, openApiConfig()));
  // Registered before Swagger UI's own route for the same path, so it sees the request first.
  (app.getHttpAdapter().getInstance() as Express).get(`/${OPENAPI_PATH}`, (req: Request, res: Response, next: NextFunction) => {
    res.vary('Accept');
    // Ties go to the first type, so `*/*` and browsers (text/html first) get the UI.
    if (req.accepts(['text/html', 'application/json']) !== 'application/json') return next();
    res.type('application/json').send(JSON.stringify(build()));
  });
  SwaggerModule.setup(OPENAPI_PATH, app, build);
}
