import { z } from 'zod';
import { Actor, Conversation, DomainEventSchema, EventEnvelopeMeta, Initiator, Space } from '@twokey/contracts';
import * as rest from './schemas';

/**
 * The document's shared schemas (components/schemas): every REST schema of schemas.ts (but the query objects,
 * which become parameters), the contracts' shapes they share, and the stored-event envelope of the audit log.
 * A route whose schema is one of them refers to it by `$ref`, so each is written once (problem+json included).
 */
export const StoredEventSchema = z
  .intersection(EventEnvelopeMeta, DomainEventSchema)
  .meta({ description: 'One event of the audit log as stored: the envelope the store adds (position, actor, correlation) and the domain event (type, data)' });

const registry = z.registry<{ id: string }>();
const names = new Map<z.ZodType, string>();

function register(name: string, schema: z.ZodType): void {
  if (names.has(schema)) return;
  registry.add(schema, { id: name });
  names.set(schema, name);
}

for (const [exported, value] of Object.entries(rest)) {
  if (!(value instanceof z.ZodType) || exported.endsWith('Query')) continue;
  register(exported.replace(/Schema$/, ''), value);
}
register('Actor', Actor);
register('Initiator', Initiator);
register('Conversation', Conversation);
register('Space', Space);
register('EventEnvelope', EventEnvelopeMeta);
register('StoredEvent', StoredEventSchema);

export const componentName = (schema: z.ZodType): string | undefined => names.get(schema);

let built: Record<string, object> | undefined;

/** components/schemas of the document, keys sorted (a stable docs/openapi.json). */
export function componentSchemas(): Record<string, object> {
  if (built) return built;
  const { schemas } = z.toJSONSchema(registry, { target: 'openapi-3.0', uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'any' });
  built = {};
  for (const name of Object.keys(schemas).sort()) {
    const { $id: _id, $schema: _schema, ...schema } = schemas[name] as Record<string, unknown>;
    built[name] = schema;
  }
  return built;
}
