import path from 'node:path';

/** The compiled scripted agent (`npm run build` first): spawn it with `node`, e.g. AGENT_COMMAND="node <this>". */
export const SCRIPTED_AGENT_JS = path.resolve(__dirname, '../../../../../dist/libs/test-support/src/fakes/acp/scripted-agent.js');
