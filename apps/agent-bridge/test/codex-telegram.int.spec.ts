/**
 * The whole stack with the real Codex agent: fake Telegram (Bot API over HTTP) → real grammY gateway → NATS → the
 * real pairing-service → the agent bridge → the real codex-acp binary → a local stand-in of the OpenAI Responses
 * API. A paired user gets the model's answer in her chat; a prompt whose answer needs an escalated `exec_command`
 * asks permission in chat, which only she can give.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeResponses, lastInput } from '@twokey/test-support/fakes/openai/fake-responses';
import { FakeTelegram, messageUpdate, privateChat, telegramUser, TelegramUpdate } from '@twokey/test-support/fakes/telegram';
import { settle, until } from '@twokey/test-support/gateway-harness';
import { PairingEndToEnd, startPairingEndToEnd } from '@twokey/test-support/pairing-e2e';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { createPairingService } from '../../pairing-service/src/pairing-service';
// eslint-disable-next-line @nx/enforce-module-boundaries -- and the real Telegram gateway
import { TelegramAdapter } from '../../gateway-telegram/src/telegram-adapter';
import { AgentBridge, createAgentBridge } from '../src/agent-bridge';
import { loadAgentBridgeConfig } from '../src/config';
import { quiet } from './bridge-rig';

const ROOT = path.resolve(__dirname, '../../..');
const CODEX_ACP = path.join(ROOT, 'node_modules/.bin/codex-acp');
const TOKEN = '7000000002:AAcodex-e2e-token_0123456789abc';
const SECRET = 'codex-e2e-webhook-secret-0123456789';
const MODEL_KEY = 'sk-local-stand-in-key';
const alice = telegramUser(2222222, 'Alice', { username: 'alice' });
const bob = telegramUser(3333333, 'Bob', { username: 'bob' });
const group = { id: -1002000000777, type: 'supergroup' as const, title: 'Repo room' };

describe('Codex from Telegram, through the whole stack (real codex-acp)', () => {
  let fake: FakeTelegram;
  let model: FakeResponses;
  let e2e: PairingEndToEnd;
  let bridge: AgentBridge;
  let workdir: string;
  let updateId = 5000;
  let messageId = 1;
  const send = async (from: typeof alice, chat: ReturnType<typeof privateChat> | typeof group, text: string) => {
    const update: TelegramUpdate = { update_id: ++updateId, ...messageUpdate({ from, chat, text, messageId: ++messageId }) };
    const res = await fake.deliverWebhook(`${e2e.gw.httpUrl}/telegram/webhook`, update, SECRET);
    expect(res.status).toBe(200);
  };
  // The answer grows in one message by edits (Telegram can edit): every text the chat was shown, sent or edited in.
  const shownIn = (chatId: number, method: 'sendMessage' | 'editMessageText') =>
    fake.calls(method).filter((c) => String((c.body as { chat_id: unknown }).chat_id) === String(chatId)).map((c) => String((c.body as { text: unknown }).text));
  const sentTo = (chatId: number) => [...shownIn(chatId, 'sendMessage'), ...shownIn(chatId, 'editMessageText')];
  const messagesIn = (chatId: number) => shownIn(chatId, 'sendMessage').length;

  beforeAll(async () => {
    model = await FakeResponses.start({
      apiKey: MODEL_KEY,
      respond: (req) => {
        const last = lastInput(req);
        if (last.kind === 'function_call_output') return [{ type: 'message', text: 'Created created-by-codex.txt for you.' }];
        if (last.kind === 'user' && last.text.includes('create the file')) {
          return [
            {
              type: 'function_call',
              name: 'exec_command',
              arguments: { cmd: 'touch created-by-codex.txt', sandbox_permissions: 'require_escalated', justification: 'Create the file you asked for?' },
            },
          ];
        }
        return [{ type: 'message', text: 'Hello from the model stand-in.' }];
      },
    });
    const codexHome = mkdtempSync(path.join(tmpdir(), 'twokey-codex-home-'));
    writeFileSync(path.join(codexHome, 'config.toml'), model.codexConfig('LOCAL_MODEL_KEY'));
    workdir = mkdtempSync(path.join(tmpdir(), 'twokey-codex-work-'));
    fake = await FakeTelegram.start({ token: TOKEN });
    e2e = await startPairingEndToEnd({
      platform: 'telegram',
      createPairingService,
      adapter: () =>
        new TelegramAdapter({ connection: 'telegram', token: TOKEN, apiRoot: fake.url, mode: 'webhook', webhook: { path: '/telegram/webhook', secretToken: SECRET }, logger: quiet }),
    });
    const env = { CODEX_HOME: codexHome, LOCAL_MODEL_KEY: MODEL_KEY, PATH: process.env.PATH, HOME: codexHome };
    bridge = createAgentBridge(
      loadAgentBridgeConfig({
        NATS_URL: e2e.nats.url,
        TWOKEY_SUBJECT_PREFIX: e2e.nats.prefix,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        AGENT_COMMAND: CODEX_ACP,
        AGENT_ENV: 'CODEX_HOME,LOCAL_MODEL_KEY',
        AGENT_WORKDIR: workdir,
        LOG_LEVEL: 'error',
      }),
      { logger: quiet, env },
    );
    await bridge.start();

    await e2e.pair('user', (code) => send(alice, privateChat(alice), `/start ${code}`), (e) => e.data.actor.id === String(alice.id));
    await e2e.pair('space', (code) => send(alice, group, `/pair ${code}`), (e) => e.data.purpose === 'space');
    await e2e.probe.addUser('telegram', { id: String(bob.id), displayName: 'Bob' });
  });
  afterAll(async () => {
    await bridge?.stop();
    await e2e?.stop();
    await fake?.close();
    await model?.close();
  });

  it("answers a paired user's prompt with the model's answer, in the same chat", async () => {
    await send(alice, privateChat(alice), 'hello codex');
    await until(() => sentTo(alice.id).some((t) => t.includes('Hello from the model stand-in.')), 60_000).catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(fake.userFacingCalls().map((c) => c.body))}`);
    });
    expect(model.requests.length).toBeGreaterThanOrEqual(1);
  });

  it('asks permission for an escalated command; a bystander cannot give it, the turn\'s user can, and the command runs in the session cwd', async () => {
    await send(alice, group, 'please create the file');
    await until(() => sentTo(group.id).some((t) => t.startsWith('The agent asks for permission: touch created-by-codex.txt')), 60_000);
    const prompt = sentTo(group.id).find((t) => t.startsWith('The agent asks'))!;
    expect(prompt).toMatch(/1\. allow: /);
    expect(prompt).toMatch(/reject: /);

    const before = { messages: messagesIn(group.id), shown: sentTo(group.id).length };
    await send(bob, group, 'allow');
    await settle(1_000);
    expect(existsSync(path.join(workdir, 'created-by-codex.txt'))).toBe(false);
    // The bystander's answer reached nobody: no new message, no edit.
    expect({ messages: messagesIn(group.id), shown: sentTo(group.id).length }).toEqual(before);

    await send(alice, group, 'allow');
    await until(() => sentTo(group.id).some((t) => t.includes('Created created-by-codex.txt for you.')), 60_000);
    expect(existsSync(path.join(workdir, 'created-by-codex.txt'))).toBe(true);
  });
});
