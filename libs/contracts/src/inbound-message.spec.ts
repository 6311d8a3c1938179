import { ContractViolation, decodeContract, parseContract } from './contract-violation';
import { InboundMessage, MAX_TEXT_LENGTH, inboundMessageId } from './inbound-message';

const dm = {
  schemaVersion: 1,
  connection: 'telegram',
  platform: 'telegram',
  platformMessageId: '42:7',
  sentAt: '2026-11-24T10:00:00.000Z',
  receivedAt: '2026-11-24T10:00:00.100Z',
  actor: { id: '42', displayName: 'Ada Lovelace', username: 'ada' },
  conversation: { id: '42', kind: 'dm' },
  text: 'hello',
};

function violation(value: unknown): ContractViolation {
  try {
    parseContract('InboundMessage', InboundMessage, value);
  } catch (e) {
    return e as ContractViolation;
  }
  throw new Error('expected a ContractViolation');
}

describe('InboundMessage contract', () => {
  it('accepts a DM without a space', () => {
    expect(parseContract('InboundMessage', InboundMessage, dm).actor.id).toBe('42');
  });

  it('accepts a shared conversation with its space', () => {
    const m = { ...dm, conversation: { id: '-100123', kind: 'supergroup', threadId: '9' }, space: { id: '-100123', kind: 'telegram-supergroup' } };
    expect(parseContract('InboundMessage', InboundMessage, m).space?.kind).toBe('telegram-supergroup');
  });

  it.each([
    [{ ...dm, actor: { displayName: 'x' } }, 'actor.id'],
    [{ ...dm, platform: 'icq' }, 'platform'],
    [{ ...dm, connection: 'Bad Connection!' }, 'connection'],
    [{ ...dm, text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }, 'text'],
    [{ ...dm, sentAt: 'yesterday' }, 'sentAt'],
    [{ ...dm, space: { id: '1', kind: 'slack-workspace' } }, 'space'],
    [{ ...dm, conversation: { id: '1', kind: 'group' } }, 'space'],
  ])('names the offending field (%#)', (value, field) => {
    const e = violation(value);
    expect(e).toBeInstanceOf(ContractViolation);
    expect(e.field).toBe(field);
    expect(e.message).toContain(field);
  });

  it('reports malformed JSON as a violation of the root', () => {
    expect(() => decodeContract('InboundMessage', InboundMessage, Buffer.from('{nope'))).toThrow(/not valid JSON/);
  });

  it('derives the de-duplication id from connection and platform message id', () => {
    expect(inboundMessageId(dm)).toBe('telegram:42:7');
  });
});

describe('decodeContract', () => {
  it('never echoes the payload of malformed JSON in its error', () => {
    const secret = 'my secret message ABCD-EFGH';
    let message = '';
    try {
      decodeContract('InboundMessage', InboundMessage, Buffer.from(`{"text": "${secret}`));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('not valid JSON');
    expect(message).not.toContain('secret');
  });
});
