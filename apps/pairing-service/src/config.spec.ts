import { ConfigError } from '@twokey/service-kit';
import { loadPairingConfig } from './config';

const SECRET = 's'.repeat(32);
const RPC = 'r'.repeat(32);
const REPLY = 'p'.repeat(32);

describe('pairing-service configuration', () => {
  it('applies the documented defaults', () => {
    const c = loadPairingConfig({ REPLY_CAPABILITY_SECRET: REPLY, PAIRING_HMAC_SECRET: SECRET, RPC_AUTH_SECRET: RPC });
    expect(c).toEqual({
      prefix: 'twokey',
      nats: { url: 'nats://127.0.0.1:4222', user: undefined, password: undefined },
      http: { port: 3001, host: '0.0.0.0' },
      hmacSecret: SECRET,
      rpcAuthSecret: RPC,
      replyCapability: { secret: REPLY, ttlSeconds: 86_400 },
      systemMessages: { connections: [], userApproved: "You're approved: you can talk to the agent now.", spaceApproved: 'This chat is approved: the agent answers here when addressed.' },
      denialWindowMs: 60_000,
      denialMaxCoalesce: 500,
      denialMaxHeld: 1_000_000,
      consumerName: 'pairing-service',
      ackWaitMs: 150_000,
      expiryTickMs: 1_000,
      ensureStreams: true,
      snapshots: { enabled: true, everyEvents: 10_000, everyMs: 300_000 },
      logLevel: 'info',
    });
  });

  it('validates the snapshot cadence', () => {
    const base = { PAIRING_HMAC_SECRET: SECRET, RPC_AUTH_SECRET: RPC, REPLY_CAPABILITY_SECRET: REPLY };
    expect(loadPairingConfig({ ...base, SNAPSHOTS: 'no', SNAPSHOT_EVERY_EVENTS: '50', SNAPSHOT_EVERY_SECONDS: '2' }).snapshots).toEqual({
      enabled: false,
      everyEvents: 50,
      everyMs: 2_000,
    });
    expect(() => loadPairingConfig({ ...base, SNAPSHOT_EVERY_EVENTS: '0' })).toThrow(/SNAPSHOT_EVERY_EVENTS/);
    expect(() => loadPairingConfig({ ...base, SNAPSHOT_EVERY_SECONDS: 'often' })).toThrow(/SNAPSHOT_EVERY_SECONDS/);
  });

  it('derives the ack wait from the denial window unless set', () => {
    expect(loadPairingConfig({ PAIRING_HMAC_SECRET: SECRET, RPC_AUTH_SECRET: RPC, REPLY_CAPABILITY_SECRET: REPLY, DENIAL_WINDOW_SECONDS: '1' }).ackWaitMs).toBe(32_000);
    expect(loadPairingConfig({ PAIRING_HMAC_SECRET: SECRET, RPC_AUTH_SECRET: RPC, REPLY_CAPABILITY_SECRET: REPLY, DENIAL_WINDOW_SECONDS: '1', ACK_WAIT_SECONDS: '3' }).ackWaitMs).toBe(3_000);
    expect(loadPairingConfig({ PAIRING_HMAC_SECRET: SECRET, RPC_AUTH_SECRET: RPC, REPLY_CAPABILITY_SECRET: REPLY, ENSURE_STREAMS: 'false' }).ensureStreams).toBe(false);
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadPairingConfig({ REPLY_CAPABILITY_SECRET: REPLY, PAIRING_HMAC_SECRET: 'short', HTTP_PORT: 'eighty', DENIAL_MAX_COALESCE: '0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['DENIAL_MAX_COALESCE', 'HTTP_PORT', 'PAIRING_HMAC_SECRET', 'RPC_AUTH_SECRET']);
    expect((error as ConfigError).message).toContain('PAIRING_HMAC_SECRET: must be at least 32 characters');
  });

  it('L2: refuses to start without an RPC auth secret of 32+ characters', () => {
    expect(() => loadPairingConfig({ PAIRING_HMAC_SECRET: SECRET, RPC_AUTH_SECRET: 'short' })).toThrow(/RPC_AUTH_SECRET: must be at least 32 characters/);
  });

  it('refuses an ack wait that would redeliver held denials', () => {
    expect(() => loadPairingConfig({ PAIRING_HMAC_SECRET: SECRET, RPC_AUTH_SECRET: RPC, REPLY_CAPABILITY_SECRET: REPLY, DENIAL_WINDOW_SECONDS: '60', ACK_WAIT_SECONDS: '60' })).toThrow(
      /ACK_WAIT_SECONDS: must be greater than DENIAL_WINDOW_SECONDS \(60\)/,
    );
  });
});
