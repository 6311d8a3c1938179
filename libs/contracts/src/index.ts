export * from './identifiers';
export * from './inbound-message';
export * from './admitted-message';
export * from './send-message';
export * from './events';
export * from './rpc';
export * from './subjects';
export * from './contract-violation';
