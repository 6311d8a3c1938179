import type { LoggerService } from '@nestjs/common';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Keys whose values are never written, whatever their nesting. */
const SECRET_KEY = /(token|secret|password|pass|authorization|cookie|code|key|signature|text)$/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
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
 * careless `log.info('x', { code })` cannot leak a pairing code.
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
    const extra = fields && typeof fields === 'object' ? (redact(fields) as object) : fields === undefined ? {} : { context: fields };
    this.sink.write(JSON.stringify({ time: new Date().toISOString(), level, service: this.service, msg, ...this.bindings, ...extra }) + '\n');
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
