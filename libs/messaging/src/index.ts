export * from './connect';
export * from './streams';
export * from './rpc';
export * from './session-revocations';
export * from './rpc-proof';
export * from './snapshots';
export * from './snapshot-writer';
export * from './connection-tests';
