import { CONSOLE_CSP, safeNext } from './security-headers';

describe('console security headers', () => {
  it('allows nothing but this origin, and no inline code', () => {
    expect(CONSOLE_CSP).toContain("default-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it.each([
    ['/console/', '/console/'],
    ['/console', '/console'],
    ['/console/settings/messaging/telegram', '/console/settings/messaging/telegram'],
    ['/console/activity/attention?connection=slack', '/console/activity/attention?connection=slack'],
  ])('keeps a console destination after login: %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it.each([
    'https://evil.example/console/',
    '//evil.example/console/',
    '/console\\@evil.example',
    '/consolefoo',
    '/api/v1/session',
    '/console/\r\nSet-Cookie: x=1',
    undefined,
    ['/console/'],
  ])('refuses anything else as a destination (no open redirect): %p', (next) => {
    expect(safeNext(next)).toBe('/console/');
  });
});
