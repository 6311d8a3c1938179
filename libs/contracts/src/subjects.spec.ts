import { subjects } from './subjects';

describe('subjects', () => {
  const s = subjects();

  it('builds the design subjects under the default prefix', () => {
    expect(s.inbound('telegram')).toBe('twokey.inbound.telegram');
    expect(s.admitted('slack')).toBe('twokey.admitted.slack');
    expect(s.outbound('line')).toBe('twokey.outbound.line');
    expect(s.events('access-telegram')).toBe('twokey.events.access-telegram');
    expect(s.rpcPairing('issue-token')).toBe('twokey.rpc.pairing.issue-token');
    expect(s.rpcGateway('discord', 'connection-test')).toBe('twokey.rpc.gateway.discord.connection-test');
    expect(s.dlq('inbound')).toBe('twokey.dlq.inbound');
    expect(s.dlq('gateway.slack')).toBe('twokey.dlq.gateway.slack');
    expect(s.streams).toEqual({ inbound: 'TWOKEY_INBOUND', admitted: 'TWOKEY_ADMITTED', outbound: 'TWOKEY_OUTBOUND', delivered: 'TWOKEY_DELIVERED', events: 'TWOKEY_EVENTS' });
    expect(s.delivered('line')).toBe('twokey.delivered.line');
    expect(s.rpcAgent('status')).toBe('twokey.rpc.agent.status');
  });

  it('derives stream names from a custom prefix', () => {
    expect(subjects('acme-prod').streams.events).toBe('ACME_PROD_EVENTS');
  });

  it('refuses tokens that would change the subject structure', () => {
    expect(() => s.inbound('tele.gram')).toThrow();
    expect(() => s.inbound('*')).toThrow();
    expect(() => s.events('a>b')).toThrow(/not a valid NATS subject token/);
    expect(() => subjects('a.b')).toThrow(/subject prefix/);
  });
});
