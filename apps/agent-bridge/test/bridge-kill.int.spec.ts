/**
 * kill -9 of the bridge (a real process, `node dist/apps/agent-bridge/src/main.js`) in the middle of a turn: after
 * the restart no prompt ran twice, the user was told the turn was interrupted, and the next message runs in the
 * resumed session (session/load).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, NatsConnection } from 'nats';
import { OutboundCommand, subjects } from '@twokey/contracts';
import { freePort, NatsHarness, startNats } from '@twokey/test-support';
import { SCRIPTED_AGENT_JS } from '@twokey/test-support/fakes/acp';
import { until } from '@twokey/test-support/gateway-harness';
import { Collected, collectStream, StoredMessage } from '@twokey/test-support/stream-collector';
import { admitted, textOf } from './bridge-rig';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN_JS = path.join(ROOT, 'dist/apps/agent-bridge/src/main.js');

interface Logged {
  pid: number;
  sessionId: string;
  text: string;
}

describe('agent bridge killed with SIGKILL mid-turn', () => {
  let nats: NatsHarness;
  let nc: NatsConnection;
  let outbound: Collected<StoredMessage<OutboundCommand>>;
  let child: ChildProcess | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'twokey-agent-kill-'));
  const log = path.join(dir, 'prompts.ndjson');
  const prompts = (): Logged[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Logged) : []);
  const texts = () => outbound.items.map((i) => textOf(i.data)).filter((t): t is string => t !== undefined);

  const startBridge = async () => {
    const port = await freePort();
    child = spawn(process.execPath, [MAIN_JS], {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        NATS_URL: nats.url,
        TWOKEY_SUBJECT_PREFIX: nats.prefix,
        HTTP_PORT: String(port),
        HTTP_HOST: '127.0.0.1',
        AGENT_COMMAND: `${process.execPath} ${SCRIPTED_AGENT_JS}`,
        AGENT_ENV: 'SCRIPTED_AGENT_STATE,SCRIPTED_AGENT_LOG',
        SCRIPTED_AGENT_STATE: path.join(dir, 'state'),
        SCRIPTED_AGENT_LOG: log,
        AGENT_WORKDIR: dir,
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error('bridge not ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    const built = spawnSync(process.execPath, [path.join(ROOT, 'tools/scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
    nats = await startNats();
    nc = await connect({ servers: nats.url });
    await startBridge();
    const s = subjects(nats.prefix);
    outbound = await collectStream<OutboundCommand>(nc, s.streams.outbound, s.outboundAll());
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await outbound?.stop();
    await nc?.close();
    await nats?.dispose();
  });

  it('never runs the interrupted prompt again, tells the user, and resumes the session', async () => {
    const s = subjects(nats.prefix);
    const admit = (text: string) => {
      const m = admitted(text, { actorId: '7001' });
      return nc.jetstream().publish(s.admitted('telegram'), JSON.stringify(m), { msgID: `telegram:${m.message.platformMessageId}` });
    };
    await admit('before the crash');
    await until(() => texts().includes('echo: before the crash'), 15_000);
    const session = prompts()[0].sessionId;

    await admit('slow 20000 the long one');
    await until(() => prompts().some((p) => p.text === 'slow 20000 the long one'), 15_000);
    const killed = new Promise((r) => child!.once('exit', r));
    child!.kill('SIGKILL');
    await killed;

    await startBridge();
    await until(() => texts().some((t) => t.startsWith('The agent bridge restarted while this message was being answered')), 15_000);
    await admit('after the restart');
    await until(() => texts().includes('echo: after the restart'), 15_000);

    expect(prompts().filter((p) => p.text === 'slow 20000 the long one')).toHaveLength(1);
    const after = prompts().find((p) => p.text === 'after the restart')!;
    expect(after.sessionId).toBe(session);
    expect(after.pid).not.toBe(prompts()[0].pid);
    expect(texts().filter((t) => t.startsWith('The agent bridge restarted'))).toHaveLength(1);
  });
});
