export * from './free-port';
export * from './nats-harness';
