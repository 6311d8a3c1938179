import { bootGateway } from '@twokey/gateway-kit';
import { MattermostSettings } from './config';
import { MattermostAdapter } from './mattermost-adapter';

void bootGateway({
  platform: 'mattermost',
  settings: MattermostSettings,
  createAdapter: (s, { config, logger }) =>
    new MattermostAdapter({
      connection: config.connection,
      baseUrl: s.MATTERMOST_URL,
      token: s.MATTERMOST_TOKEN,
      groupTeamId: s.MATTERMOST_GROUP_TEAM_ID,
      allowAppPosts: s.MATTERMOST_ALLOW_APP_POSTS,
      logger,
    }),
});
