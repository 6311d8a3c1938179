import { z } from 'zod';
import { registerSecretsFromEnv } from './redact';

/** Start-up configuration is wrong: names every offending variable and why, then the service exits. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly service: string, readonly problems: { variable: string; reason: string }[]) {
    super(
      `${service}: invalid configuration:\n` +
        problems.map((p) => `  - ${p.variable}: ${p.reason}`).join('\n') +
        '\nSee .env.example for every variable.',
    );
  }
}

/**
 * Validates environment variables once at start-up into a typed object. The schema's keys are the variable
 * names, so the error names exactly the variable that is missing or wrong. Every variable named like a secret
 * (`*_TOKEN`, `*_SECRET`, `*_PASSWORD`, `*_KEY`, a URL's password) is registered for by-value redaction first, so
 * no log line or error of the process can quote it.
 */
export function loadConfig<S extends z.ZodObject<z.ZodRawShape>>(
  service: string,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  registerSecretsFromEnv(Object.keys(schema.shape), env);
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    service,
    result.error.issues.map((i) => ({
      variable: String(i.path[0] ?? '(env)'),
      reason: i.code === 'invalid_type' && i.input === undefined ? 'is required but not set' : i.message,
    })),
  );
}

/** Common zod helpers for env values. */
export const env = {
  int: (def: number) => z.coerce.number().int().default(def),
  bool: (def: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  secret: (minLength = 16) => z.string().min(minLength, `must be at least ${minLength} characters`),
  /** LOG_LEVEL of every service: a typo stops the service at start instead of silently logging at info. */
  logLevel: () => z.enum(['debug', 'info', 'warn', 'error']).default('info'),
};
