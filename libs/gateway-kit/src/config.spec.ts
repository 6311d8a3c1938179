import { z } from 'zod';
import { ConfigError } from '@twokey/service-kit';
import { loadGatewayConfig as loadKitConfig } from './config';

/** Every gateway needs the reply capability key; these cases are about the other variables. */
const loadGatewayConfig: typeof loadKitConfig = (platform, schema, env = {}) => loadKitConfig(platform, schema, { REPLY_CAPABILITY_SECRET: 'r'.repeat(32), ...env });

const Platform = z
  .object({ DEMO_TOKEN: z.string().min(1), DEMO_MODE: z.enum(['a', 'b']).default('a'), DEMO_SECRET: z.string().optional() })
  .superRefine((s, ctx) => {
    if (s.DEMO_MODE === 'b' && !s.DEMO_SECRET) ctx.addIssue({ code: 'custom', path: ['DEMO_SECRET'], message: 'is required when DEMO_MODE=b' });
  });

const problems = (env: NodeJS.ProcessEnv) => {
  try {
    loadGatewayConfig('telegram', Platform, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe('loadGatewayConfig', () => {
  it('needs the reply capability key (32+ characters): a gateway never sends what it cannot check', () => {
    expect(() => loadKitConfig('telegram', Platform, { DEMO_TOKEN: 't' })).toThrow(/REPLY_CAPABILITY_SECRET: is required but not set/);
    expect(() => loadKitConfig('telegram', Platform, { DEMO_TOKEN: 't', REPLY_CAPABILITY_SECRET: 'short' })).toThrow(/REPLY_CAPABILITY_SECRET: must be at least 32/);
    expect(loadKitConfig('telegram', Platform, { DEMO_TOKEN: 't', REPLY_CAPABILITY_SECRET: 'k'.repeat(32) }).gateway.replyCapability).toEqual({ secret: 'k'.repeat(32) });
  });

  it('applies the defaults: connection = platform name, prefix twokey, buffer 10000', () => {
    const { gateway, settings } = loadGatewayConfig('telegram', Platform, { DEMO_TOKEN: 't' });
    expect(gateway).toMatchObject({
      platform: 'telegram',
      connection: 'telegram',
      prefix: 'twokey',
      nats: { url: 'nats://127.0.0.1:4222' },
      http: { host: '0.0.0.0' },
      bufferMax: 10_000,
    });
    expect(settings).toEqual({ DEMO_TOKEN: 't', DEMO_MODE: 'a' });
  });

  it('reads the common variables', () => {
    const { gateway } = loadGatewayConfig('slack', Platform, {
      DEMO_TOKEN: 't',
      NATS_URL: 'nats://n1:4222,nats://n2:4222',
      NATS_USER: 'gw',
      NATS_PASSWORD: 'pw',
      TWOKEY_SUBJECT_PREFIX: 'acme',
      TWOKEY_CONNECTION_ID: 'slack-acme',
      HTTP_PORT: '9100',
      GATEWAY_BUFFER_MAX: '50',
    });
    expect(gateway).toMatchObject({ connection: 'slack-acme', prefix: 'acme', nats: { user: 'gw', password: 'pw' }, http: { port: 9100 }, bufferMax: 50 });
  });

  it('creates the streams (R1) by default; ENSURE_STREAMS=false and STREAM_REPLICAS change that', () => {
    expect(loadGatewayConfig('telegram', Platform, { DEMO_TOKEN: 't' }).gateway.streams).toEqual({ ensure: true, replicas: 1 });
    expect(loadGatewayConfig('telegram', Platform, { DEMO_TOKEN: 't', ENSURE_STREAMS: 'false', STREAM_REPLICAS: '3' }).gateway.streams).toEqual({
      ensure: false,
      replicas: 3,
    });
    expect(problems({ DEMO_TOKEN: 't', ENSURE_STREAMS: 'nope', STREAM_REPLICAS: '0' }).map((p) => p.variable).sort()).toEqual(['ENSURE_STREAMS', 'STREAM_REPLICAS']);
  });

  it('names every missing or wrong variable, common and platform ones together', () => {
    expect(problems({ TWOKEY_CONNECTION_ID: 'Not Valid!', GATEWAY_BUFFER_MAX: '0' })).toEqual(
      expect.arrayContaining([
        { variable: 'DEMO_TOKEN', reason: 'is required but not set' },
        expect.objectContaining({ variable: 'TWOKEY_CONNECTION_ID' }),
        expect.objectContaining({ variable: 'GATEWAY_BUFFER_MAX' }),
      ]),
    );
  });

  it("keeps the platform schema's cross-field rules", () => {
    expect(problems({ DEMO_TOKEN: 't', DEMO_MODE: 'b' })).toEqual([{ variable: 'DEMO_SECRET', reason: 'is required when DEMO_MODE=b' }]);
  });
});
