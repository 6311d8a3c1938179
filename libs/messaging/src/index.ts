export * from './connect';
export * from './streams';
export * from './rpc';
export * from './reply-store';
