import { networkErrorCode } from './network-error';

describe('networkErrorCode', () => {
  it('H1: finds the code on the error or its causes and never returns the message', () => {
    const fetchError = Object.assign(new Error('request to http://x/bot1:SECRET/getMe failed'), { code: 'ECONNREFUSED' });
    expect(networkErrorCode({ error: fetchError, message: 'Network request failed' })).toBe('ECONNREFUSED');
    expect(networkErrorCode(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' }) }))).toBe('UND_ERR_CONNECT_TIMEOUT');
    expect(networkErrorCode(Object.assign(new Error('aborted http://x/bot1:SECRET'), { name: 'AbortError' }))).toBe('AbortError');
    expect(networkErrorCode({ original: { code: 'ENOTFOUND' } })).toBe('ENOTFOUND');
    expect(networkErrorCode(new Error('http://x/bot1:SECRET'))).toBe('network error');
    expect(networkErrorCode({ code: 'lower case or http://x' })).toBe('network error');
  });
});
