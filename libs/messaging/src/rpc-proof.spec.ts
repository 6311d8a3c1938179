import { headers } from 'nats';
import { RPC_PROOF_HEADER, RPC_PROOF_MAX_SKEW_MS, RpcProof } from './rpc-proof';

const SECRET = 'k'.repeat(32);
const body = Buffer.from('{"connection":"telegram"}');

function withProof(value: string) {
  const h = headers();
  h.set(RPC_PROOF_HEADER, value);
  return h;
}

describe('RPC proof (L2)', () => {
  let now = 1_700_000_000_000;
  const proof = new RpcProof(SECRET, () => now);

  it('L2: accepts its own proof for the same subject and body only', () => {
    const value = proof.sign('twokey.rpc.pairing.issue-token', body);
    expect(proof.verify('twokey.rpc.pairing.issue-token', body, withProof(value))).toBe(true);
    expect(proof.verify('twokey.rpc.pairing.add-user', body, withProof(value))).toBe(false);
    expect(proof.verify('twokey.rpc.pairing.issue-token', Buffer.from('{"connection":"discord"}'), withProof(value))).toBe(false);
    expect(new RpcProof('o'.repeat(32), () => now).verify('twokey.rpc.pairing.issue-token', body, withProof(value))).toBe(false);
  });

  it('L2: refuses a missing, malformed or stale proof', () => {
    expect(proof.verify('s', body, undefined)).toBe(false);
    expect(proof.verify('s', body, headers())).toBe(false);
    expect(proof.verify('s', body, withProof('v1.garbage'))).toBe(false);
    const old = proof.sign('s', body);
    now += RPC_PROOF_MAX_SKEW_MS + 1;
    expect(proof.verify('s', body, withProof(old))).toBe(false);
  });

  it('refuses a short secret', () => {
    expect(() => new RpcProof('short')).toThrow(/at least 32/);
  });
});
