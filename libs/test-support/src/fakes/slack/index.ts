export * from './fake-slack';
export * from './events';
