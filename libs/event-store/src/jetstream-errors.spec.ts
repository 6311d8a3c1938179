import { isNoMessageFound, wrongLastSequence } from './jetstream-errors';

const apiError = (err_code: number, description: string, code = 400) => Object.assign(new Error(description), {
  api_error: { code, err_code, description },
});

describe('JetStream error mapping', () => {
  it('recognizes the wrong-last-sequence refusal and reads the actual sequence', () => {
    expect(wrongLastSequence(apiError(10071, 'wrong last sequence: 42'))).toBe(42);
    expect(wrongLastSequence(apiError(10071, 'wrong last sequence'))).toBeNull();
    expect(wrongLastSequence(apiError(10070, 'wrong last msg ID: x'))).toBeUndefined();
    expect(wrongLastSequence(new Error('TIMEOUT'))).toBeUndefined();
    expect(wrongLastSequence(undefined)).toBeUndefined();
  });

  it('recognizes "no message found"', () => {
    expect(isNoMessageFound(apiError(10037, 'no message found', 404))).toBe(true);
    expect(isNoMessageFound(apiError(10059, 'stream not found', 404))).toBe(false);
    expect(isNoMessageFound(new Error('no message found'))).toBe(false);
  });
});
