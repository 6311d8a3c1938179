import { MemoryConnectionTests } from './shared-connection-tests';

describe('MemoryConnectionTests', () => {
  it('keeps the latest test of each connection, whatever order the replicas’ results arrive in', () => {
    const tests = new MemoryConnectionTests();
    const at = (s: number) => ({ ok: s % 2 === 0, bot: null, latencyMs: 1, at: new Date(s * 1000).toISOString() });
    tests.record('telegram', at(2));
    tests.record('telegram', at(1));
    tests.record('slack', at(3));
    expect(tests.get('telegram')).toEqual(at(2));
    tests.record('telegram', at(5));
    expect(tests.get('telegram')).toEqual(at(5));
    expect(tests.get('slack')).toEqual(at(3));
    expect(tests.get('line')).toBeUndefined();
  });
});
