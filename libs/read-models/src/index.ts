export * from './model';
export * from './changes';
export * from './project';
export { InvalidCursor, denialGroupKey } from './attention';
export * from './queries';
export * from './snapshot';
export * from './persisted';
