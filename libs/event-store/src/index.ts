export * from './event-store';
export * from './errors';
export * from './upcasting';
export * from './upcaster-chain';
export * from './uuidv7';
export * from './jetstream-event-store';
export * from './stored-commit';
