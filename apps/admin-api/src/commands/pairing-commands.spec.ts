import { problemOfRpcError } from './pairing-commands';

describe('pairing-service errors as HTTP problems', () => {
  it.each([
    ['invalid', 400, 'validation'],
    ['not-found', 404, 'not-found'],
    ['conflict', 409, 'conflict'],
    ['expired', 409, 'expired'],
    ['unavailable', 503, 'unavailable'],
    ['internal', 502, 'upstream'],
  ] as const)('%s → %d', (code, status, kind) => {
    const p = problemOfRpcError({ code, message: 'm', field: code === 'invalid' ? 'purpose' : undefined });
    expect(p.status).toBe(status);
    expect(p.kind).toBe(kind);
    if (code === 'invalid') expect(p.extras.field).toBe('purpose');
  });
});
