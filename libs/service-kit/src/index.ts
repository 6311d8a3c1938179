export * from './config';
export * from './logger';
export * from './config-help';
export * from './metrics';
export * from './probe-server';
export * from './redact';
export * from './shutdown';
