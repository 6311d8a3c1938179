import { parseJsonSafely } from './safe-json';

describe('parseJsonSafely', () => {
  it('parses valid JSON', () => {
    expect(parseJsonSafely('{"a":[1,"x"]}')).toEqual({ ok: true, value: { a: [1, 'x'] } });
  });

  it.each([
    ['{"text": my secret code ABCD-EFGH', 'syntax error'],
    ['{"text":', 'unexpected end of input'],
    ['{"a":"private words" x}', 'syntax error at position 21'],
  ])('describes %j without quoting the input', (input, reason) => {
    const r = parseJsonSafely(input);
    expect(r).toEqual({ ok: false, reason });
    expect(JSON.stringify(r)).not.toMatch(/secret|private|ABCD/);
  });
});
