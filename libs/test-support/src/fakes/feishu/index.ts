export * from './fake-feishu';
