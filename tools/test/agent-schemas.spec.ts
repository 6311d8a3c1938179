// The JSON Schemas in docs/schemas/ are what the zod contracts say (node tools/scripts/agent-schemas.js writes them).
import { stale } from '../scripts/agent-schemas';
import { assertBuilt } from './support/dist';

describe('docs/schemas', () => {
  it('are up to date with libs/contracts', () => {
    assertBuilt('dist/libs/contracts/src/index.js');
    expect(stale()).toEqual([]);
  });
});
