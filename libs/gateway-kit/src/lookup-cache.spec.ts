import { LookupCache } from './lookup-cache';

describe('LookupCache', () => {
  let clock = 0;
  const cache = () => new LookupCache<string>({ ttlMs: 1000, maxEntries: 2, now: () => clock });
  beforeEach(() => (clock = 0));

  it('loads once within the TTL and again after it', async () => {
    const c = cache();
    const load = jest.fn(async () => 'Alice');
    expect(await c.get('u1', load)).toBe('Alice');
    expect(await c.get('u1', load)).toBe('Alice');
    expect(load).toHaveBeenCalledTimes(1);
    clock = 1001;
    await c.get('u1', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('shares one in-flight request between concurrent callers', async () => {
    const c = cache();
    const load = jest.fn(() => new Promise<string>((r) => setTimeout(() => r('Bob'), 5)));
    expect(await Promise.all([c.get('u', load), c.get('u', load)])).toEqual(['Bob', 'Bob']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not cache failures', async () => {
    const c = cache();
    await expect(c.get('u', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await c.get('u', async () => 'ok')).toBe('ok');
  });

  it('evicts the oldest entry beyond maxEntries', async () => {
    const c = cache();
    await c.get('a', async () => 'A');
    await c.get('b', async () => 'B');
    await c.get('c', async () => 'C');
    const load = jest.fn(async () => 'A2');
    expect(await c.get('a', load)).toBe('A2');
    expect(await c.get('c', async () => 'not reloaded')).toBe('C');
  });
});
