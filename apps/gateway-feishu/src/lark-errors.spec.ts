import { describeLarkError, isTokenFailure, larkLogger } from './lark-errors';

/** The shape of the axios errors the SDK throws (config.data holds the request body). */
const axiosError = (status: number, data: unknown) =>
  Object.assign(new Error(`Request failed with status code ${status}`), {
    isAxiosError: true,
    config: { data: JSON.stringify({ app_id: 'cli_x', app_secret: 'very-secret', content: 'private text' }) },
    response: { status, data },
  });

describe('describeLarkError', () => {
  it('keeps the platform code and msg of an HTTP error, never the request body', () => {
    const text = describeLarkError(axiosError(400, { code: 10014, msg: 'app secret invalid' }));
    expect(text).toBe('HTTP 400, code 10014: app secret invalid');
  });

  it('describes the SDK formatErrors array without leaking its config.data', () => {
    const e = axiosError(400, { code: 230001, msg: 'invalid' });
    const formatted = [{ message: e.message, config: { data: e.config.data }, response: { status: 400, data: e.response.data } }, { code: 230001, msg: 'invalid' }];
    const text = describeLarkError(formatted);
    expect(text).not.toContain('very-secret');
    expect(text).not.toContain('private text');
    expect(text).toContain('code 230001: invalid');
  });

  it('recognizes a failed tenant token request by its URL or the SDK message', () => {
    const e = Object.assign(axiosError(400, { code: 10014, msg: 'app secret invalid' }), { config: { url: 'http://x/open-apis/auth/v3/tenant_access_token/internal' } });
    expect(isTokenFailure(e)).toBe(true);
    expect(isTokenFailure(new Error('failed to get tenant_access_token, code: 10003, msg: invalid param'))).toBe(true);
    expect(isTokenFailure(axiosError(400, { code: 230001, msg: 'x' }))).toBe(false);
  });

  it('bridges SDK logs to structured logs', () => {
    const seen: string[] = [];
    const log = larkLogger({ debug: (m) => seen.push(`debug ${m}`), warn: (m) => seen.push(`warn ${m}`), error: (m) => seen.push(`error ${m}`) });
    log.error(axiosError(400, { code: 99991663, msg: 'Invalid access token' }));
    log.info('client ready');
    log.trace('noise');
    expect(seen).toEqual(['error lark sdk: HTTP 400, code 99991663: Invalid access token', 'debug lark sdk: client ready']);
  });
});

describe('describeLarkError without an answer', () => {
  it('H1: says only the error code of an unreachable platform, never the URL of the request', () => {
    const e = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1 http://x/open-apis/im/v1/messages?token=t-g1044ghJRUIJJ5ELPPB4F7YT3EYPWHU5H3W'), {
      code: 'ECONNREFUSED',
      config: { url: 'http://x/open-apis/im/v1/messages', headers: { Authorization: 'Bearer t-g1044ghJRUIJJ5ELPPB4F7YT3EYPWHU5H3W' } },
    });
    expect(describeLarkError(e)).toBe('unreachable (ECONNREFUSED)');
  });
});
