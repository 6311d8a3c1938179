import type { AdmittedMessage } from '@twokey/contracts';
import type { PermissionChoice } from '@twokey/agent-rules';

export interface AgentInfo {
  name: string;
  title?: string | null;
  version?: string | null;
  loadSession: boolean;
}

export interface PermissionRequest {
  title: string;
  detail?: string;
  options: PermissionChoice[];
}

/** What an agent reports while a turn runs; the bridge turns it into chat. */
export interface TurnSink {
  text(chunk: string): void;
  tool(id: string, title: string | undefined, status: 'pending' | 'in_progress' | 'completed' | 'failed' | undefined): void;
  /** Resolves with the chosen optionId, or undefined when the turn was cancelled before an answer. */
  permission(request: PermissionRequest): Promise<string | undefined>;
}

export interface OpenedSession {
  sessionId: string;
  /** True when a stored session was resumed (session/load), false when a new one was created. */
  resumed: boolean;
  /** The agent's current mode (e.g. codex's approval preset), for /status. */
  mode?: string;
}

export interface SessionPlacement {
  cwd: string;
  /** The ACP command line for this session (a binding may name another agent). */
  command: string[];
}

export interface TurnResult {
  stopReason: string;
}

/**
 * The agent, whatever carries it (ACP over stdio, or a webhook). Sessions are identified by the agent's own ids so
 * they can be stored and resumed.
 */
export interface AgentBackend {
  readonly mode: 'acp' | 'webhook';
  /** From `initialize` (the last process started), or a fixed description for a webhook. */
  info(): AgentInfo | null;
  runningProcesses(): number;
  /** Resumes `resume` when given and possible, else creates a new session. */
  openSession(placement: SessionPlacement, resume?: string): Promise<OpenedSession>;
  /** True while the session lives in a running agent (false after a crash: it must be opened again). */
  isLive(placement: SessionPlacement, sessionId: string): boolean;
  prompt(placement: SessionPlacement, sessionId: string, message: AdmittedMessage, text: string, sink: TurnSink): Promise<TurnResult>;
  cancel(placement: SessionPlacement, sessionId: string): Promise<void>;
  closeSession(placement: SessionPlacement, sessionId: string): Promise<void>;
  stop(): Promise<void>;
}
