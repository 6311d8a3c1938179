/**
 * Turning what the Lark SDK throws or logs into short, safe text. The SDK's errors are axios errors whose request
 * config holds the request body (message text, the app secret for token requests): only the HTTP status and the
 * platform's `code` / `msg` are kept, never the config.
 */
import { networkErrorCode } from '@twokey/gateway-kit';
import { redactSecrets } from '@twokey/service-kit';
import { ApiAnswer } from './wire';

/** A Feishu Open API answer with `code != 0` (the platform said no). */
export class FeishuApiError extends Error {
  override readonly name = 'FeishuApiError';
  constructor(readonly operation: string, readonly status: number | undefined, readonly code: number, readonly msg: string) {
    super(`Feishu ${operation} failed${status ? ` (HTTP ${status})` : ''}: code ${code}, ${msg}`);
  }
}

interface AxiosLike {
  message?: string;
  config?: { url?: string };
  response?: { status?: number; data?: unknown };
}

/** True when the SDK failed while obtaining the tenant access token (its own error, or the token request's). */
export function isTokenFailure(e: unknown): boolean {
  if (e instanceof Error && /tenant_access_token/.test(e.message)) return true;
  return /\/auth\/v3\/tenant_access_token/.test((e as AxiosLike | undefined)?.config?.url ?? '');
}

/** The platform's `{ code, msg }` from an SDK error, if it carries one. */
export function apiAnswerOf(e: unknown): { status?: number; code: number; msg: string } | undefined {
  const response = (e as AxiosLike | undefined)?.response;
  const answer = ApiAnswer.safeParse(response?.data);
  return answer.success ? { status: response?.status, code: answer.data.code, msg: answer.data.msg ?? '' } : undefined;
}

/** One line describing an SDK error or log argument, without request bodies or headers. */
export function describeLarkError(e: unknown): string {
  if (typeof e === 'string') return e.slice(0, 500);
  if (Array.isArray(e)) return e.map(describeLarkError).filter(Boolean).join('; ');
  const answer = apiAnswerOf(e);
  if (answer) return `HTTP ${answer.status ?? '?'}, code ${answer.code}: ${answer.msg}`;
  const direct = ApiAnswer.safeParse(e);
  if (direct.success) return `code ${direct.data.code}: ${direct.data.msg ?? ''}`;
  const status = (e as AxiosLike | undefined)?.response?.status;
  if (status !== undefined) return `HTTP ${status}`;
  // No answer at all: an axios error's message may quote the URL; its code says what happened.
  const code = networkErrorCode(e);
  if (code !== 'network error' && !(e instanceof FeishuApiError)) return `unreachable (${code})`;
  if (e instanceof Error) return redactSecrets(e.message);
  if (e && typeof e === 'object' && typeof (e as AxiosLike).message === 'string') return redactSecrets((e as AxiosLike).message as string);
  return '';
}

export interface LarkLogTarget {
  debug(msg: string, fields?: unknown): void;
  warn(msg: string, fields?: unknown): void;
  error(msg: string, fields?: unknown): void;
}

/** The SDK's Logger interface, writing safe one-liners to our structured logger (its info is our debug). */
export function larkLogger(target: LarkLogTarget) {
  const line = (args: unknown[]) => `lark sdk: ${args.map(describeLarkError).filter(Boolean).join(' ')}`;
  return {
    error: (...args: unknown[]) => target.error(line(args)),
    warn: (...args: unknown[]) => target.warn(line(args)),
    info: (...args: unknown[]) => target.debug(line(args)),
    debug: (...args: unknown[]) => target.debug(line(args)),
    trace: (..._args: unknown[]) => undefined,
  };
}
