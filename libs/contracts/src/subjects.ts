import { ConnectionId } from './identifiers';

export const DEFAULT_SUBJECT_PREFIX = 'twokey';

/** Stream names derived from the prefix, so several deployments (or test suites) can share one NATS. */
export interface StreamNames {
  inbound: string;
  admitted: string;
  outbound: string;
  delivered: string;
  events: string;
}

export interface Subjects {
  prefix: string;
  streams: StreamNames;
  inbound(connection: string): string;
  inboundAll(): string;
  admitted(connection: string): string;
  admittedAll(): string;
  outbound(connection: string): string;
  outboundAll(): string;
  delivered(connection: string): string;
  deliveredAll(): string;
  events(streamName: string): string;
  eventsAll(): string;
  rpcPairing(verb: string): string;
  rpcPairingAll(): string;
  rpcGateway(connection: string, verb: string): string;
  rpcAgent(verb: string): string;
  dlq(origin: string): string;
}

const TOKEN = /^[A-Za-z0-9_-]+$/;

function token(value: string, what: string): string {
  if (!TOKEN.test(value)) throw new Error(`${what} "${value}" is not a valid NATS subject token`);
  return value;
}

export function subjects(prefix: string = DEFAULT_SUBJECT_PREFIX): Subjects {
  token(prefix, 'subject prefix');
  const upper = prefix.toUpperCase().replace(/-/g, '_');
  const conn = (c: string) => ConnectionId.parse(c);
  return {
    prefix,
    streams: {
      inbound: `${upper}_INBOUND`,
      admitted: `${upper}_ADMITTED`,
      outbound: `${upper}_OUTBOUND`,
      delivered: `${upper}_DELIVERED`,
      events: `${upper}_EVENTS`,
    },
    inbound: (c) => `${prefix}.inbound.${conn(c)}`,
    inboundAll: () => `${prefix}.inbound.>`,
    admitted: (c) => `${prefix}.admitted.${conn(c)}`,
    admittedAll: () => `${prefix}.admitted.>`,
    outbound: (c) => `${prefix}.outbound.${conn(c)}`,
    outboundAll: () => `${prefix}.outbound.>`,
    delivered: (c) => `${prefix}.delivered.${conn(c)}`,
    deliveredAll: () => `${prefix}.delivered.>`,
    events: (s) => `${prefix}.events.${token(s, 'stream name')}`,
    eventsAll: () => `${prefix}.events.>`,
    rpcPairing: (verb) => `${prefix}.rpc.pairing.${token(verb, 'verb')}`,
    rpcPairingAll: () => `${prefix}.rpc.pairing.>`,
    rpcAgent: (verb) => `${prefix}.rpc.agent.${token(verb, 'verb')}`,
    rpcGateway: (c, verb) => `${prefix}.rpc.gateway.${conn(c)}.${token(verb, 'verb')}`,
    dlq: (origin) => `${prefix}.dlq.${origin.split('.').map((t) => token(t, 'dlq origin')).join('.')}`,
  };
}
