export * from './reply-capability';
