import type { AdmittedMessage } from '@twokey/contracts';
import type { JsonLogger } from '@twokey/service-kit';
import type { AgentBackend, AgentInfo, OpenedSession, SessionPlacement, TurnResult, TurnSink } from './agent-backend';
import { AgentFailed, AgentUnavailable } from './agent-errors';
import { AcpProcess } from './acp-process';

export interface AcpBackendOptions {
  env: Record<string, string>;
  /** The agent process's own working directory (sessions name theirs in session/new). */
  workdir: string;
  maxProcesses: number;
  logger: JsonLogger;
  /** A process died; the sessions it held are gone until opened again. */
  onCrash: (why: string) => void;
}

const keyOf = (command: string[]) => JSON.stringify(command);

/**
 * ACP agents as processes: one per distinct command line (AGENT_COMMAND, or a binding's), each holding every
 * session of that command. A dead process is replaced on the next use; its sessions must be opened again
 * (session/load where the agent can).
 */
export class AcpBackend implements AgentBackend {
  readonly mode = 'acp' as const;
  private readonly processes = new Map<string, Promise<AcpProcess>>();
  /** The started processes, for synchronous questions (is this session live?). */
  private readonly ready = new Map<string, AcpProcess>();
  private lastInfo: AgentInfo | null = null;

  constructor(private readonly o: AcpBackendOptions) {}

  info(): AgentInfo | null {
    return this.lastInfo;
  }

  runningProcesses(): number {
    return this.processes.size;
  }

  /** The pid of the process running `command` (tests read its environment). */
  async pidOf(command: string[]): Promise<number | undefined> {
    return (await this.processes.get(keyOf(command)))?.pid;
  }

  private process(command: string[]): Promise<AcpProcess> {
    const key = keyOf(command);
    const existing = this.processes.get(key);
    if (existing) return existing;
    if (this.processes.size >= this.o.maxProcesses) {
      return Promise.reject(new AgentUnavailable(`AGENT_MAX_PROCESSES (${this.o.maxProcesses}) agent processes are already running`));
    }
    const p = new AcpProcess({
      command,
      env: this.o.env,
      cwd: this.o.workdir,
      logger: this.o.logger,
      onExit: (dead, why) => {
        if (this.ready.get(key) === dead) {
          this.ready.delete(key);
          this.processes.delete(key);
        }
        this.o.logger.warn('agent process ended', { command: command[0], why, sessions: dead.sessions.size });
        if (!dead.stopping && dead.info) this.o.onCrash(why);
      },
    });
    const started = p.start().then((info) => {
      this.lastInfo = info;
      if (p.exited) throw new AgentFailed('the agent exited right after it started');
      this.ready.set(key, p);
      this.o.logger.info('agent process started', { command: command[0], pid: p.pid, agent: info.name, version: info.version, loadSession: info.loadSession });
      return p;
    });
    this.processes.set(key, started);
    started.catch(() => this.processes.get(key) === started && this.processes.delete(key));
    return started;
  }

  private async live(placement: SessionPlacement, sessionId: string): Promise<AcpProcess> {
    const p = await this.process(placement.command);
    if (!p.sessions.has(sessionId)) throw new AgentFailed('the session is not open in the running agent');
    return p;
  }

  async openSession(placement: SessionPlacement, resume?: string): Promise<OpenedSession> {
    const p = await this.process(placement.command);
    if (resume && p.info?.loadSession) {
      try {
        const r = await p.loadSession(resume, placement.cwd);
        return { sessionId: resume, resumed: true, mode: r.mode };
      } catch (e) {
        this.o.logger.warn('the agent could not resume the stored session; starting a new one', { error: (e as Error).message });
      }
    }
    const r = await p.newSession(placement.cwd);
    return { sessionId: r.sessionId, resumed: false, mode: r.mode };
  }

  isLive(placement: SessionPlacement, sessionId: string): boolean {
    const p = this.ready.get(keyOf(placement.command));
    return p !== undefined && !p.exited && p.sessions.has(sessionId);
  }

  async prompt(placement: SessionPlacement, sessionId: string, _m: AdmittedMessage, text: string, sink: TurnSink): Promise<TurnResult> {
    const p = await this.live(placement, sessionId);
    return { stopReason: await p.prompt(sessionId, text, sink) };
  }

  async cancel(placement: SessionPlacement, sessionId: string): Promise<void> {
    const p = await this.processes.get(keyOf(placement.command))?.catch(() => undefined);
    await p?.cancel(sessionId);
  }

  async closeSession(placement: SessionPlacement, sessionId: string): Promise<void> {
    const key = keyOf(placement.command);
    const p = await this.processes.get(key)?.catch(() => undefined);
    if (!p) return;
    await p.closeSession(sessionId);
    if (p.sessions.size === 0) {
      this.processes.delete(key);
      this.ready.delete(key);
      p.kill();
    }
  }

  async stop(): Promise<void> {
    const all = await Promise.all([...this.processes.values()].map((p) => p.catch(() => undefined)));
    this.processes.clear();
    this.ready.clear();
    for (const p of all) p?.kill();
  }
}
