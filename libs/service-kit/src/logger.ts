import type { LoggerService } from '@nestjs/common';
import { redactSecrets, REDACTED } from './redact';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** The last word of a key that names a secret or message text (`botToken`, `client_secret`, `text`, `code` …). */
const SECRET_WORDS = new Set(['token', 'secret', 'password', 'passwd', 'pass', 'passphrase', 'authorization', 'cookie', 'code', 'key', 'signature', 'text', 'credential', 'credentials']);

/**
 * `…Code` and `…Key` words that name no secret: an HTTP status, an error or exit code, the idempotency key of a
 * command (a message id), a cache or sort key. A pairing code is logged as `code`, a signing key as `key`/`signingKey`.
 */
const HARMLESS_QUALIFIERS = new Set(['idempotency', 'status', 'error', 'exit', 'http', 'response', 'reason', 'cache', 'sort', 'partition', 'dedupe']);

const GLUED_SECRET = /(token|secret|password|passcode|plaintext|signature|apikey)$/;

/** Splits `botToken`, `bot_token`, `bot-token`, `BOT_TOKEN` into lowercase words. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Keys whose values are never written, whatever their nesting. */
export function isSecretKey(key: string): boolean {
  const w = words(key);
  const last = w[w.length - 1];
  if (last === undefined) return false;
  if (!SECRET_WORDS.has(last)) return GLUED_SECRET.test(last); // `authtoken`, `passcode`, `plaintext` written as one word
  if ((last === 'code' || last === 'key') && w.length > 1 && HARMLESS_QUALIFIERS.has(w[w.length - 2])) return false;
  return true;
}

function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { name: value.name, message: redactSecrets(value.message), ...(value.stack ? { stack: redactSecrets(value.stack) } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? REDACTED : redact(v, depth + 1);
  return out;
}

/**
 * Nest's start-up chatter ("Mapped {/healthz, GET} route", "XModule dependencies initialized", …): one line per
 * route and module on every start, so it goes to debug. Nest passes the context as the last argument of `log`.
 */
const NEST_STARTUP_CONTEXTS = new Set(['NestFactory', 'NestApplication', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

export interface LogSink {
  write(line: string): void;
}

/**
 * Structured JSON logs, one object a line. Fields named like secrets (token, code, text, …) are redacted, so a
 * careless `log.info('x', { code })` cannot leak a pairing code; and every string (the message too) is redacted by
 * value (redact.ts), so a secret quoted inside an SDK's error text cannot leak either.
 */
export class JsonLogger implements LoggerService {
  constructor(
    readonly service: string,
    private readonly level: Level = (process.env.LOG_LEVEL as Level) ?? 'info',
    private readonly sink: LogSink = process.stdout,
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  child(bindings: Record<string, unknown>): JsonLogger {
    return new JsonLogger(this.service, this.level, this.sink, { ...this.bindings, ...bindings });
  }

  private emit(level: Level, msg: string, fields?: unknown) {
    if (ORDER[level] < (ORDER[this.level] ?? 20)) return;
    const extra = fields && typeof fields === 'object' ? (redact(fields) as object) : fields === undefined ? {} : { context: redact(fields) };
    this.sink.write(JSON.stringify({ time: new Date().toISOString(), level, service: this.service, msg: redactSecrets(msg), ...(redact(this.bindings) as object), ...extra }) + '\n');
  }

  debug(msg: string, fields?: unknown) { this.emit('debug', msg, fields); }
  info(msg: string, fields?: unknown) { this.emit('info', msg, fields); }
  warn(msg: string, fields?: unknown) { this.emit('warn', msg, fields); }
  error(msg: string, fields?: unknown) { this.emit('error', msg, fields); }
  // LoggerService (Nest) names:
  log(msg: string, context?: unknown) {
    this.emit(typeof context === 'string' && NEST_STARTUP_CONTEXTS.has(context) ? 'debug' : 'info', String(msg), context);
  }
  verbose(msg: string, context?: unknown) { this.emit('debug', String(msg), context); }
  fatal(msg: string, context?: unknown) { this.emit('error', String(msg), context); }
}
