export * from './fake-discord';
