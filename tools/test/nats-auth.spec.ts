// deploy/nats/permissions.json is the one source of the NATS users; these tests tie its names to the code that
// uses them (stream names, inbox prefixes, consumer names), so a rename on either side cannot go unnoticed.
import { subjects } from '@twokey/contracts';
import { outboundConsumerName } from '@twokey/gateway-kit';
import { natsInboxPrefix } from '@twokey/messaging';
import {
  generatePassword,
  inboxPrefix,
  isUsablePassword,
  natsUserNames,
  natsUsers,
  passwordEnvVar,
  renderAuthorization,
  streamNames,
  agentBucket,
} from '../../deploy/nats/nats-auth';
import { PairingServiceEnv } from '../../apps/pairing-service/src/config';
import { agentBucketName } from '../../apps/agent-bridge/src/bridge/session-store';

describe('NATS users', () => {
  it('name the streams exactly as libs/contracts does', () => {
    for (const prefix of ['twokey', 'acme-prod', 'T1']) {
      const s = subjects(prefix).streams;
      expect(streamNames(prefix)).toEqual({ INBOUND: s.inbound, ADMITTED: s.admitted, OUTBOUND: s.outbound, DELIVERED: s.delivered, EVENTS: s.events });
    }
  });

  it('use the inbox prefix that connectNats derives from the user', () => {
    for (const u of natsUserNames()) {
      expect(inboxPrefix(u)).toBe(natsInboxPrefix(u));
      const user = natsUsers().find((x) => x.name === u)!;
      expect(user.permissions.subscribe!.allow).toContain(`${natsInboxPrefix(u)}.>`);
      expect(user.permissions.subscribe!.allow).not.toContain('_INBOX.>');
    }
  });

  it('grant the consumers the services actually use', () => {
    const users = natsUsers({ connections: ['telegram'] });
    const allow = (name: string) => users.find((u) => u.name === name)!.permissions.publish!.allow!;
    const consumer = outboundConsumerName('telegram');
    expect(allow('gateway-telegram')).toContain(`$JS.API.CONSUMER.MSG.NEXT.TWOKEY_OUTBOUND.${consumer}`);
    const pairingConsumer = PairingServiceEnv.shape.CONSUMER_NAME.parse(undefined);
    expect(allow('pairing-service')).toContain(`$JS.API.CONSUMER.MSG.NEXT.TWOKEY_INBOUND.${pairingConsumer}`);
  });

  it('exist once per service, per connection, for the agent and for the provisioner', () => {
    expect(natsUserNames({ connections: ['telegram', 'line-jp'] })).toEqual([
      'pairing-service',
      'admin-api',
      'gateway-telegram',
      'gateway-line-jp',
      'agent',
      'provisioner',
    ]);
  });

  it('keep the agent away from the pairing rpc and events, also by explicit deny', () => {
    const agent = natsUsers().find((u) => u.name === 'agent')!.permissions;
    // Replies, the gateways' status (capability profile) only, its own dead letters and its own KV bucket.
    expect(agent.publish!.allow!.filter((s) => !s.startsWith('$JS.') && !s.startsWith('_INBOX'))).toEqual([
      'twokey.outbound.>',
      'twokey.rpc.gateway.*.status',
      'twokey.dlq.agent',
      `$KV.${agentBucket('twokey')}.>`,
    ]);
    expect(agent.publish!.deny).toEqual(expect.arrayContaining(['twokey.rpc.pairing.>', 'twokey.events.>']));
    expect(agent.subscribe!.allow).toEqual(['_INBOX_agent.>', 'twokey.rpc.agent.>']);
    for (const prefix of ['twokey', 'acme-prod']) expect(agentBucket(prefix)).toBe(agentBucketName(prefix));
    expect(agent.subscribe!.deny).toEqual(expect.arrayContaining(['twokey.rpc.pairing.>', 'twokey.rpc.gateway.>', 'twokey.events.>']));
    expect(agent.publish!.allow!.join(' ')).not.toMatch(/CONSUMER\.CREATE|EVENTS/);
  });

  it('refuse connection ids and prefixes that are not single subject tokens, and password variable collisions', () => {
    expect(() => natsUsers({ connections: ['Tele gram'] })).toThrow('connection id "Tele gram"');
    expect(() => natsUsers({ prefix: 'a.b' })).toThrow('subject prefix "a.b"');
    expect(() => natsUsers({ connections: ['my-bot', 'my_bot'] })).toThrow(/would share the variable TWOKEY_NATS_PASSWORD_GATEWAY_MY_BOT/);
  });

  it('render passwords as variables, never as values', () => {
    const conf = renderAuthorization(natsUsers());
    expect(conf).toContain(`password: $${passwordEnvVar('gateway-telegram')},`);
    expect(conf).not.toMatch(/password: "/);
  });

  it('generate passwords that nats-server reads back intact', () => {
    const seen = new Set(Array.from({ length: 200 }, generatePassword));
    expect(seen.size).toBe(200);
    for (const p of seen) expect(isUsablePassword(p)).toBe(true);
    expect(isUsablePassword('3f00aa0000000000000000000000')).toBe(false);
    expect(isUsablePassword('short1')).toBe(false);
  });
});
