import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { JsonLogger } from '@twokey/service-kit';
import { AdminApiModule, AdminApiRuntime } from '../app.module';
import { buildOpenApiDocument } from './openapi';

/**
 * The admin-api's OpenAPI document without NATS or a listener: the module with inert runtime values (the document
 * reads only route metadata). Written to docs/openapi.json by `npm run openapi`; a test compares the two.
 */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  const log = new JsonLogger('admin-api', 'error', { write: () => undefined });
  const inert = new Proxy({ log } as Partial<AdminApiRuntime>, { get: (target, key: string) => (target as Record<string, unknown>)[key] ?? {} });
  const app = await NestFactory.create(AdminApiModule.register(inert as AdminApiRuntime), { logger: false, abortOnError: false });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/** docs/openapi.json's exact text. */
export const openApiText = (document: OpenAPIObject): string => JSON.stringify(document, null, 2) + '\n';
