/**
 * Turns an old schema version of one event type into the next one. The store applies upcasters on read, in
 * order, until the event reaches CURRENT_SCHEMA_VERSION; a missing step is an EventDecodeError.
 */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(data: unknown): unknown;
}
