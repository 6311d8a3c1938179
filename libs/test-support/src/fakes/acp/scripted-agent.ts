/**
 * A scripted ACP agent on the SDK's agent side, for what a model stand-in cannot produce cheaply: a crash mid-turn,
 * a slow turn, an authentication failure, many sessions. Run as a process (`node scripted-agent.js`, path in
 * SCRIPTED_AGENT_JS) speaking ACP over stdio. The prompt text is the script:
 *   `slow <ms> …`   answers after <ms> (a session/cancel ends it early with stopReason cancelled)
 *   `crash …`       sends one chunk, then exits the process with code 3
 *   `permission …`  asks session/request_permission (allow once / always / reject), answers with the choice
 *   `tool …`        reports a tool call (pending → completed) before answering
 *   anything else   answers `echo: <text>` in two chunks
 * Environment: SCRIPTED_AGENT_AUTH=required answers session/new with -32000 "Authentication required";
 * SCRIPTED_AGENT_STATE=<dir> keeps session ids there so a new process can session/load them; SCRIPTED_AGENT_LOG=<file>
 * appends one JSON line per prompt received ({ pid, sessionId, text }), so tests can prove a prompt never ran twice.
 */
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import * as acp from '@agentclientprotocol/sdk';

const state = process.env.SCRIPTED_AGENT_STATE;
const log = process.env.SCRIPTED_AGENT_LOG;
const sessions = new Set<string>();
const running = new Map<string, AbortController>();
let next = 0;

const known = (id: string) => sessions.has(id) || (state !== undefined && existsSync(path.join(state, `${id}.session`)));

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(true), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve(false);
    });
  });

const app = acp
  .agent({ name: 'scripted-agent' })
  .onRequest('initialize', () => ({
    protocolVersion: acp.PROTOCOL_VERSION,
    agentCapabilities: { loadSession: state !== undefined },
    agentInfo: { name: 'scripted-agent', title: 'Scripted agent', version: '1.0.0' },
    authMethods: [],
  }))
  .onRequest('session/new', () => {
    if (process.env.SCRIPTED_AGENT_AUTH === 'required') throw new acp.RequestError(-32000, 'Authentication required');
    const sessionId = `s-${process.pid}-${++next}`;
    sessions.add(sessionId);
    if (state) {
      mkdirSync(state, { recursive: true });
      writeFileSync(path.join(state, `${sessionId}.session`), '');
    }
    return { sessionId, modes: { currentModeId: 'scripted', availableModes: [{ id: 'scripted', name: 'Scripted' }] } };
  })
  .onRequest('session/load', ({ params }) => {
    if (!known(params.sessionId)) throw acp.RequestError.resourceNotFound(params.sessionId);
    sessions.add(params.sessionId);
    return {};
  })
  .onNotification('session/cancel', ({ params }) => {
    running.get(params.sessionId)?.abort();
  })
  .onRequest('session/prompt', async ({ params, client }) => {
    const text = params.prompt.map((b) => (b.type === 'text' ? b.text : '')).join('');
    if (log) appendFileSync(log, JSON.stringify({ pid: process.pid, sessionId: params.sessionId, text }) + '\n');
    const sessionId = params.sessionId;
    const say = (t: string) => client.notify('session/update', { sessionId, update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: t } } });
    const abort = new AbortController();
    running.set(sessionId, abort);
    try {
      const slow = /^slow (\d+)/.exec(text);
      if (slow) {
        await say('working… ');
        if (!(await sleep(Number(slow[1]), abort.signal))) return { stopReason: 'cancelled' as const };
        await say(`done: ${text}`);
        return { stopReason: 'end_turn' as const };
      }
      if (text.startsWith('crash')) {
        await say('about to crash');
        setTimeout(() => process.exit(3), 50);
        await new Promise(() => undefined);
      }
      if (text.startsWith('permission')) {
        const r = await client.request('session/request_permission', {
          sessionId,
          toolCall: { toolCallId: 'perm-1', title: 'touch approved.txt', kind: 'execute', status: 'pending' },
          options: [
            { optionId: 'allow-once', name: 'Yes, once', kind: 'allow_once' },
            { optionId: 'allow-always', name: 'Yes, always', kind: 'allow_always' },
            { optionId: 'reject', name: 'No', kind: 'reject_once' },
          ],
        });
        await say(`permission: ${r.outcome.outcome === 'selected' ? r.outcome.optionId : 'cancelled'}`);
        return { stopReason: abort.signal.aborted ? ('cancelled' as const) : ('end_turn' as const) };
      }
      if (text.startsWith('tool')) {
        await client.notify('session/update', { sessionId, update: { sessionUpdate: 'tool_call', toolCallId: 't1', title: 'ls -la', kind: 'execute', status: 'pending' } });
        await client.notify('session/update', { sessionId, update: { sessionUpdate: 'tool_call_update', toolCallId: 't1', status: 'completed' } });
      }
      await say('echo: ');
      await say(text);
      return { stopReason: 'end_turn' as const };
    } finally {
      running.delete(sessionId);
    }
  });

const connection = app.connect(
  acp.ndJsonStream(Writable.toWeb(process.stdout) as WritableStream<Uint8Array>, Readable.toWeb(process.stdin) as unknown as ReadableStream<Uint8Array>),
);
void connection.closed.then(() => process.exit(0));
process.stdin.on('end', () => process.exit(0));
