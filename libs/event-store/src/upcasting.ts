import type { EventType } from '@twokey/contracts';

/**
 * Turns an old schema version of one event type into the next one. The store applies upcasters on read, in
 * order, until the event reaches CURRENT_SCHEMA_VERSION (or the type's entry in `SchemaVersions`); a missing step
 * is an EventDecodeError.
 */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(data: unknown): unknown;
}

/**
 * The schema version the running code writes and reads, per event type; types not listed are at
 * CURRENT_SCHEMA_VERSION. Bump a type here (and add its upcaster) when its data schema changes.
 */
export type SchemaVersions = Partial<Record<EventType, number>>;

/** How an adapter turns stored events into current ones; every adapter's constructor accepts these. */
export interface UpcastingOptions {
  upcasters?: Upcaster[];
  schemaVersions?: SchemaVersions;
}
