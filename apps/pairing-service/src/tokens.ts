/**
 * Injection tokens for values whose type is an interface (Nest cannot inject those by class). Classes such as
 * JsonLogger are injected by their own class.
 */
export const CONFIG = Symbol('PairingServiceConfig');
export const SUBJECTS = Symbol('Subjects');
export const NATS = Symbol('NatsConnection');
export const EVENT_STORE = Symbol('EventStore');
export const DOMAIN_DEPS = Symbol('DomainDeps');
export const FATAL_HANDLER = Symbol('FatalHandler');
export const CLOCK = Symbol('Clock');

/** The service's only source of "now" (decisions, expiries, denial windows), injected so tests can move time. */
export type Clock = () => Date;

/** Called once when the service must stop because continuing could decide on a wrong state (fail closed). */
export type FatalHandler = (error: Error) => void;
