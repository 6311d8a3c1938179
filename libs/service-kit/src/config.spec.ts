import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config';

const schema = z.object({
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  PAIRING_HMAC_SECRET: env.secret(32),
  HTTP_PORT: env.int(3001),
  ENSURE_STREAMS: env.bool(true),
});

describe('loadConfig', () => {
  it('returns typed values with defaults', () => {
    const c = loadConfig('svc', schema, { PAIRING_HMAC_SECRET: 'x'.repeat(32), HTTP_PORT: '8080', ENSURE_STREAMS: 'no' });
    expect(c).toEqual({ NATS_URL: 'nats://127.0.0.1:4222', PAIRING_HMAC_SECRET: 'x'.repeat(32), HTTP_PORT: 8080, ENSURE_STREAMS: false });
  });

  it('names every missing or invalid variable', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig('pairing-service', schema, { HTTP_PORT: 'eighty' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.variable).sort()).toEqual(['HTTP_PORT', 'PAIRING_HMAC_SECRET']);
    expect(error!.message).toContain('PAIRING_HMAC_SECRET: is required but not set');
    expect(error!.message).toContain('pairing-service');
  });
});
