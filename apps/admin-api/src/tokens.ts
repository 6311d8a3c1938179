/** Nest injection tokens for values that are interfaces (no runtime class to inject by). */
export const EVENT_STORE = Symbol('EventStore');
export const NATS_CONNECTION = Symbol('NatsConnection');
export const ADMIN_API_CONFIG = Symbol('AdminApiConfig');
