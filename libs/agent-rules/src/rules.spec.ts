import { isAddressed } from './addressing';
import { mayDecide, parseApprovers } from './approvers';
import { placementOf } from './bindings';
import { chatCommandOf } from './chat-input';
import { splitCommandLine } from './command-line';
import { isStale, parseDurationMs } from './durations';
import { permissionAnswerOf, permissionPromptText, rejectingChoice, PermissionChoice } from './permission-prompt';
import { ReplyComposer } from './reply-composer';
import { sessionKeyOf } from './session-key';

const options: PermissionChoice[] = [
  { optionId: 'approved', name: 'Yes, proceed', kind: 'allow_once' },
  { optionId: 'always', name: "Yes, and don't ask again", kind: 'allow_always' },
  { optionId: 'abort', name: 'No', kind: 'reject_once' },
];

const msg = (conversation: { id: string; kind: 'dm' | 'group'; threadId?: string }, actorId = 'u1') =>
  ({ connection: 'slack', message: { conversation, actor: { id: actorId, displayName: 'x' } } }) as never;

describe('agent rules', () => {
  it('keys sessions by thread, conversation or actor', () => {
    const a = msg({ id: 'C1', kind: 'group', threadId: 't1' });
    const b = msg({ id: 'C1', kind: 'group', threadId: 't2' }, 'u2');
    expect(sessionKeyOf(a, 'thread').label).toBe('slack/C1/thread:t1');
    expect(sessionKeyOf(a, 'thread').kvToken).not.toBe(sessionKeyOf(b, 'thread').kvToken);
    expect(sessionKeyOf(a, 'conversation').kvToken).toBe(sessionKeyOf(b, 'conversation').kvToken);
    expect(sessionKeyOf(a, 'user').label).toBe('slack/C1/user:u1');
    expect(sessionKeyOf(a, 'thread').kvToken).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('reads chat commands only when alone on the message', () => {
    expect(chatCommandOf('/new')).toBe('new');
    expect(chatCommandOf(' /Status@my_bot ')).toBe('status');
    expect(chatCommandOf('/new idea for the api')).toBeUndefined();
    expect(chatCommandOf('/pair ABCD')).toBeUndefined();
  });

  it('answers a permission prompt by number or word, nothing else', () => {
    expect(permissionAnswerOf('1', options)?.optionId).toBe('approved');
    expect(permissionAnswerOf('Always.', options)?.optionId).toBe('always');
    expect(permissionAnswerOf('reject', options)?.optionId).toBe('abort');
    expect(permissionAnswerOf('4', options)).toBeUndefined();
    expect(permissionAnswerOf('allow me to explain', options)).toBeUndefined();
    expect(rejectingChoice(options)?.optionId).toBe('abort');
    const text = permissionPromptText({ title: 'touch x', options, timeoutMinutes: 10 });
    expect(text).toContain('1. allow: Yes, proceed\n2. always: ');
    expect(text).toContain('within 10 min rejects');
  });

  it('lets only the turn actor or a listed approver decide', () => {
    const approvers = parseApprovers('telegram:42,77');
    expect(mayDecide({ connection: 'slack', actorId: 'u1' }, 'u1', [])).toBe(true);
    expect(mayDecide({ connection: 'slack', actorId: 'u2' }, 'u1', approvers)).toBe(false);
    expect(mayDecide({ connection: 'telegram', actorId: '42' }, 'u1', approvers)).toBe(true);
    expect(mayDecide({ connection: 'slack', actorId: '42' }, 'u1', approvers)).toBe(false);
    expect(mayDecide({ connection: 'slack', actorId: '77' }, 'u1', approvers)).toBe(true);
  });

  it('answers DMs always, shared conversations unless the gateway says the bot was not addressed', () => {
    const none = { answersPendingPrompt: false, isCommand: false };
    expect(isAddressed({ conversation: { id: 'd', kind: 'dm' }, mentionedBot: false }, none)).toBe(true);
    expect(isAddressed({ conversation: { id: 'g', kind: 'group' }, mentionedBot: false }, none)).toBe(false);
    expect(isAddressed({ conversation: { id: 'g', kind: 'group' }, mentionedBot: true }, none)).toBe(true);
    expect(isAddressed({ conversation: { id: 'g', kind: 'group' } }, none)).toBe(true);
    expect(isAddressed({ conversation: { id: 'g', kind: 'group' }, mentionedBot: false }, { ...none, answersPendingPrompt: true })).toBe(true);
  });

  it('reads durations and staleness', () => {
    expect(parseDurationMs('600')).toBe(600_000);
    expect(parseDurationMs('10m')).toBe(600_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('soon')).toBeUndefined();
    expect(isStale('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:11:00Z'), 600_000)).toBe(true);
    expect(isStale('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:09:00Z'), 600_000)).toBe(false);
  });

  it('splits command lines like a shell, without one', () => {
    expect(splitCommandLine(`node "/opt/my agent/a.js" --x='1 2' plain\\ word`)).toEqual(['node', '/opt/my agent/a.js', '--x=1 2', 'plain word']);
    expect(() => splitCommandLine('a "b')).toThrow(/unterminated/);
  });

  it('places sessions by conversation binding, then space binding, then the default', () => {
    const bindings = [
      { connection: 'slack', space: 'T1', cwd: '/repos/team' },
      { connection: 'slack', conversation: 'C9', cwd: '/repos/api', command: 'claude-code-acp' },
    ];
    expect(placementOf(bindings, { connection: 'slack', conversationId: 'C9', spaceId: 'T1' }, '/w')).toEqual({ cwd: '/repos/api', command: 'claude-code-acp' });
    expect(placementOf(bindings, { connection: 'slack', conversationId: 'C1', spaceId: 'T1' }, '/w')).toEqual({ cwd: '/repos/team', command: undefined });
    expect(placementOf(bindings, { connection: 'discord', conversationId: 'C9' }, '/w')).toEqual({ cwd: '/w' });
  });

  it('composes text and tool lines', () => {
    const c = new ReplyComposer('summary');
    c.addText('Let me look. ');
    c.toolCall('t1', 'ls -la', 'pending');
    c.toolCall('t2', 'cat a.txt', 'pending');
    c.toolCall('t1', undefined, 'completed');
    c.addText('Done.');
    expect(c.render()).toBe('Let me look.\n\n✓ ls -la\n… cat a.txt\n\nDone.');
    const off = new ReplyComposer('off');
    off.toolCall('t1', 'ls', 'pending');
    expect(off.render()).toBe('');
    expect(off.hasText).toBe(false);
  });
});
