import type { Response } from 'express';

/**
 * Everything the console loads comes from this origin: no inline script or style, no framing, no plugins. The
 * console's own fetch and EventSource calls are 'self' too.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function setConsoleHeaders(res: Response, cache: 'page' | 'asset'): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  // Pages depend on the session: never stored. Assets have no hashed names (no build step): revalidate by ETag.
  res.setHeader('Cache-Control', cache === 'page' ? 'no-store' : 'no-cache');
}

/** Only a path inside the console may be a post-login destination (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string') return '/console/';
  return /^\/console(?:[/?#][^\\]*)?$/.test(next) && !next.startsWith('//') && !/[\r\n]/.test(next) ? next : '/console/';
}
