export * from './fake-mattermost';
