import { applyDecorators, INestApplication } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { Express, NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { componentName, componentSchemas } from './openapi-components';
import { ProblemSchema } from './schemas';

/** zod → OpenAPI 3.0 schema object: one schema serves validation and documentation. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json as SchemaObject;
}

/** A `$ref` to the shared component when the schema is one (openapi-components.ts), else the schema inline. */
export function schemaRef(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject | { $ref: string } {
  const name = componentName(schema);
  return name ? { $ref: `#/components/schemas/${name}` } : openApiSchema(schema, io);
}

const problem = (status: number, description: string) =>
  ApiResponse({ status, description, content: { 'application/problem+json': { schema: schemaRef(ProblemSchema) } } });

/**
 * Documents a route: summary (a short title), description, a stable operationId (the generated client's method
 * name; without one the document derives `<controller><Method>`), body and query from the request schemas, the
 * success answer, and the usual problems.
 */
export function ApiDoc(spec: {
  summary: string;
  description?: string;
  operationId?: string;
  status?: number;
  response?: z.ZodType;
  /** Media type of a response that is not JSON (e.g. application/x-ndjson, each line a `response`). */
  produces?: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  problems?: number[];
}) {
  const status = spec.status ?? 200;
  const success = spec.response
    ? spec.produces
      ? ApiResponse({ status, description: spec.summary, content: { [spec.produces]: { schema: schemaRef(spec.response) } } })
      : ApiResponse({ status, description: spec.summary, schema: schemaRef(spec.response) })
    : ApiResponse({ status, description: spec.summary });
  const decorators: Array<MethodDecorator & ClassDecorator> = [
    ApiOperation({ summary: spec.summary, ...(spec.description ? { description: spec.description } : {}), ...(spec.operationId ? { operationId: spec.operationId } : {}) }) as MethodDecorator & ClassDecorator,
    success,
    problem(401, 'Missing or invalid credentials'),
    problem(429, PROBLEM_DESCRIPTIONS[429]),
    ...(spec.problems ?? []).map((s) => problem(s, PROBLEM_DESCRIPTIONS[s] ?? 'Problem')),
  ];
  if (spec.body) decorators.push(ApiBody({ schema: schemaRef(spec.body, 'input') }) as MethodDecorator & ClassDecorator);
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
        'changes); so does this document. Errors are RFC 9457 problem+json (schema `Problem`) with stable `type` ' +
        'URIs under https://twokey.dev/problems/. Every change is an event in the audit log (`GET /api/v1/events`, ' +
        'schema `StoredEvent`: the envelope eventId, schemaVersion, stream, streamVersion, position, occurredAt, ' +
        'correlationId, causationId, actor, plus `type` and its `data`), with the admin as actor.',
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

/** `UsersController` + `list` → `usersList`: stable while the method keeps its name (routes without an explicit id). */
export function operationIdOf(controllerKey: string, methodKey: string): string {
  const base = controllerKey.replace(/Controller$/, '');
  return `${base.charAt(0).toLowerCase()}${base.slice(1)}${methodKey.charAt(0).toUpperCase()}${methodKey.slice(1)}`;
}

/** The whole document of an app: its routes plus the shared component schemas. Deterministic (docs/openapi.json). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(app, openApiConfig(), { operationIdFactory: operationIdOf });
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...componentSchemas() } };
  return document;
}

export const OPENAPI_PATH = 'api/docs';

/**
 * Serves the OpenAPI document: Swagger UI at /api/docs for browsers, the JSON document at /api/docs when the
 * request prefers application/json, and at /api/docs-json and /api/docs-yaml. All behind authentication (the
 * auth middleware runs first), and the document is built once, on first use.
 */
export function serveOpenApi(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  const build = () => (document ??= buildOpenApiDocument(app));
  // Registered before Swagger UI's own route for the same path, so it sees the request first.
  (app.getHttpAdapter().getInstance() as Express).get(`/${OPENAPI_PATH}`, (req: Request, res: Response, next: NextFunction) => {
    res.vary('Accept');
    // Ties go to the first type, so `*/*` and browsers (text/html first) get the UI.
    if (req.accepts(['text/html', 'application/json']) !== 'application/json') return next();
    res.type('application/json').send(JSON.stringify(build()));
  });
  SwaggerModule.setup(OPENAPI_PATH, app, build);
}
