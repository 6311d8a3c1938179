export * from './config';
export * from './logger';
export * from './config-help';
export * from './redact';
