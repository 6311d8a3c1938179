import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse, DocumentBuilder } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
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
  429: 'Too many failed authentication attempts (Retry-After)',
  503: 'The pairing-service did not answer',
};

export function openApiConfig() {
  return new DocumentBuilder()
    .setTitle('Twokey admin API')
    .setDescription(
      'Pairing and two-keyed authorization for chat bots. Every route but /healthz, /readyz, /metrics needs ' +
        '`Authorization: Bearer <admin token>` or the session cookie (plus `X-CSRF-Token` on state changes). ' +
        'Errors are RFC 9457 problem+json with stable `type` URIs under https://twokey.dev/problems/.',
    )
    .setVersion('1')
    .addBearerAuth()
    .addCookieAuth('twokey_session')
    .addSecurityRequirements('bearer')
    .build();
}
