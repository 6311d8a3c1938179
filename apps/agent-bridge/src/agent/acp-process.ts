import { spawn, type ChildProcess } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import * as acp from '@agentclientprotocol/sdk';
import type { JsonLogger } from '@twokey/service-kit';
import type { PermissionChoice } from '@twokey/agent-rules';
import type { AgentInfo, TurnSink } from './agent-backend';
import { AgentAuthRequired, AgentCrashed, AgentFailed, AgentUnavailable } from './agent-errors';

/** codex-acp (and ACP agents generally) answer with this code while no key or login is configured. */
const AUTH_REQUIRED_CODE = -32000;

const TOOL_STATUSES = new Set(['pending', 'in_progress', 'completed', 'failed']);
type ToolStatus = 'pending' | 'in_progress' | 'completed' | 'failed';
const toolStatus = (s: unknown): ToolStatus | undefined => (typeof s === 'string' && TOOL_STATUSES.has(s) ? (s as ToolStatus) : undefined);

/** The first line of the text the agent attached to a tool call: its own explanation of what it wants. */
function toolDetail(content: acp.ToolCallContent[] | null | undefined): string | undefined {
  for (const c of content ?? []) {
    if (c.type === 'content' && c.content.type === 'text') return c.content.text.split('\n')[0]?.trim() || undefined;
  }
  return undefined;
}

export interface AcpProcessOptions {
  command: string[];
  env: Record<string, string>;
  cwd: string;
  logger: JsonLogger;
  /** Called once when the process is gone (crash, kill, closed stdio), with why. */
  onExit: (p: AcpProcess, why: string) => void;
}

/**
 * One agent process spoken to over stdio with the ACP SDK's client side. Turns are routed to their sink by
 * session id; updates outside a turn (history replayed by session/load, command lists) are ignored.
 */
export class AcpProcess {
  private child?: ChildProcess;
  private connection?: acp.ClientConnection;
  private readonly sinks = new Map<string, TurnSink>();
  readonly sessions = new Set<string>();
  info: AgentInfo | null = null;
  private exitedWhy?: string;

  constructor(private readonly o: AcpProcessOptions) {}

  get exited(): boolean {
    return this.exitedWhy !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<AgentInfo> {
    const [bin, ...args] = this.o.command;
    // Its own process group: a wrapper (codex-acp's launcher runs the real binary with spawnSync) and everything it
    // starts are stopped together, and no grandchild keeps our pipes open after a stop.
    const child = spawn(bin, args, { cwd: this.o.cwd, env: this.o.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.child = child;
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (e) => reject(new AgentUnavailable(`the agent command "${bin}" could not be started: ${e.message}`)));
    });
    child.stderr!.on('data', (d: Buffer) => this.o.logger.debug('agent stderr', { pid: child.pid, line: d.toString('utf8').slice(0, 500) }));
    child.once('exit', (code, signal) => this.gone(`exited (${signal ?? `code ${code}`})`));
    child.stdin!.on('error', () => undefined);
    await spawned;
    const stream = acp.ndJsonStream(
      Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>,
      Readable.toWeb(child.stdout!) as unknown as ReadableStream<Uint8Array>,
    );
    const app = acp
      .client({ name: 'twokey-agent-bridge' })
      .onNotification('session/update', ({ params }) => this.onUpdate(params))
      .onRequest('session/request_permission', async ({ params }) => {
        const sink = this.sinks.get(params.sessionId);
        if (!sink) return { outcome: { outcome: 'cancelled' as const } };
        const options: PermissionChoice[] = params.options.map((o) => ({ optionId: o.optionId, name: o.name, kind: o.kind }));
        const chosen = await sink.permission({ title: params.toolCall.title ?? 'a tool call', detail: toolDetail(params.toolCall.content), options });
        return { outcome: chosen ? { outcome: 'selected' as const, optionId: chosen } : { outcome: 'cancelled' as const } };
      });
    this.connection = app.connect(stream);
    void this.connection.closed.then(() => this.gone('closed its connection'));
    try {
      const init = await this.connection.agent.request('initialize', {
        protocolVersion: acp.PROTOCOL_VERSION,
        clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
        clientInfo: { name: 'twokey-agent-bridge', version: '0.1.0' },
      });
      this.info = {
        name: init.agentInfo?.name ?? bin,
        title: init.agentInfo?.title ?? null,
        version: init.agentInfo?.version ?? null,
        loadSession: init.agentCapabilities?.loadSession === true,
      };
      return this.info;
    } catch (e) {
      this.kill();
      throw this.translate(e, 'initialize');
    }
  }

  private onUpdate(params: acp.SessionNotification): void {
    const sink = this.sinks.get(params.sessionId);
    if (!sink) return;
    const u = params.update;
    if (u.sessionUpdate === 'agent_message_chunk' && u.content.type === 'text') sink.text(u.content.text);
    else if (u.sessionUpdate === 'tool_call') sink.tool(u.toolCallId, u.title, toolStatus(u.status) ?? 'pending');
    else if (u.sessionUpdate === 'tool_call_update') sink.tool(u.toolCallId, u.title ?? undefined, toolStatus(u.status));
  }

  private gone(why: string): void {
    if (this.exitedWhy) return;
    this.exitedWhy = why;
    this.sinks.clear();
    this.connection?.close(new AgentCrashed(`the agent ${why}`));
    this.o.onExit(this, why);
  }

  /** The SDK's errors, as the bridge's: authentication, a crash (the process is gone), or the agent's own error. */
  private translate(e: unknown, what: string): Error {
    if (this.exitedWhy) return new AgentCrashed(`the agent ${this.exitedWhy} during ${what}`);
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : String(e);
    if (code === AUTH_REQUIRED_CODE && /auth/i.test(message)) return new AgentAuthRequired(message);
    if (e instanceof AgentUnavailable || e instanceof AgentCrashed) return e;
    return new AgentFailed(`${what} failed: ${message.slice(0, 300)}`);
  }

  private agent(): acp.ClientContext {
    if (!this.connection || this.exitedWhy) throw new AgentCrashed(`the agent ${this.exitedWhy ?? 'is not running'}`);
    return this.connection.agent;
  }

  async newSession(cwd: string): Promise<{ sessionId: string; mode?: string }> {
    try {
      const r = await this.agent().request('session/new', { cwd, mcpServers: [] });
      this.sessions.add(r.sessionId);
      return { sessionId: r.sessionId, mode: r.modes?.currentModeId };
    } catch (e) {
      throw this.translate(e, 'session/new');
    }
  }

  async loadSession(sessionId: string, cwd: string): Promise<{ mode?: string }> {
    try {
      const r = await this.agent().request('session/load', { sessionId, cwd, mcpServers: [] });
      this.sessions.add(sessionId);
      return { mode: r?.modes?.currentModeId };
    } catch (e) {
      throw this.translate(e, 'session/load');
    }
  }

  async prompt(sessionId: string, text: string, sink: TurnSink): Promise<string> {
    this.sinks.set(sessionId, sink);
    try {
      const r = await this.agent().request('session/prompt', { sessionId, prompt: [{ type: 'text', text }] });
      return r.stopReason;
    } catch (e) {
      throw this.translate(e, 'session/prompt');
    } finally {
      if (this.sinks.get(sessionId) === sink) this.sinks.delete(sessionId);
    }
  }

  async cancel(sessionId: string): Promise<void> {
    if (this.exited) return;
    await this.agent().notify('session/cancel', { sessionId }).catch(() => undefined);
  }

  async closeSession(sessionId: string): Promise<void> {
    this.sessions.delete(sessionId);
    this.sinks.delete(sessionId);
  }

  /** Stopped on purpose (idle, shutdown): its exit is not a crash. */
  stopping = false;

  kill(): void {
    this.stopping = true;
    const child = this.child;
    if (!child || child.pid === undefined) return;
    child.stdin?.end();
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // The group is gone already (or was never created).
    }
  }
}
