export * from './fake-line';
