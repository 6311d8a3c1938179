export * from './fake-telegram';
export * from './updates';
