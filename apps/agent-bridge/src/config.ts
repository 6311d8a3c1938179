import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_SUBJECT_PREFIX } from '@twokey/contracts';
import {
  Approver,
  parseApprovers,
  parseDurationMs,
  SESSION_SCOPES,
  SessionScope,
  splitCommandLine,
  TOOL_UPDATE_MODES,
  ToolUpdateMode,
} from '@twokey/agent-rules';
import { ConfigError, env, loadConfig } from '@twokey/service-kit';

export const SERVICE_NAME = 'agent-bridge';

const duration = (def: string) =>
  z
    .string()
    .default(def)
    .transform((v, ctx) => {
      const ms = parseDurationMs(v);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration such as 600 (seconds), 90s, 10m or 1h' });
        return z.NEVER;
      }
      return ms;
    });

/** Unset or empty (`AGENT_COMMAND=` in .env) both mean "not set". */
const optionalText = () =>
  z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined);

const isHttpUrl = (v: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};

const names = z
  .string()
  .default('')
  .transform((v) => v.split(',').map((n) => n.trim()).filter(Boolean))
  .pipe(
    z.array(
      z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must list environment variable names')
        .refine((n) => !isBridgeSecretName(n), { message: 'must not pass the bridge\'s own credentials (NATS_*, TWOKEY_*, platform credentials, Twokey secrets) to the agent' }),
    ),
  );

/** Variables of the bridge (or of Twokey) that an agent must never see, whatever AGENT_ENV says. */
export function isBridgeSecretName(name: string): boolean {
  return (
    /^(NATS_|TWOKEY_|TELEGRAM_|DISCORD_|SLACK_|MATTERMOST_|FEISHU_|LINE_)/.test(name) ||
    ['AGENT_WEBHOOK_SECRET', 'REPLY_CAPABILITY_SECRET', 'PAIRING_HMAC_SECRET', 'ADMIN_TOKEN_HASHES', 'SESSION_SECRET'].includes(name)
  );
}

/** Every variable the agent bridge reads; the keys are the variable names so a ConfigError names them. */
export const AgentBridgeEnv = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  TWOKEY_SUBJECT_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a single NATS subject token').default(DEFAULT_SUBJECT_PREFIX),
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(3020),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  /** The ACP agent's command line, e.g. `codex-acp` (spawned directly, no shell). */
  AGENT_COMMAND: optionalText(),
  /** Names of the variables passed through to the agent (e.g. CODEX_API_KEY,CODEX_HOME); nothing else is. */
  AGENT_ENV: names,
  /** Working directory of the agent's sessions, unless a binding names another. */
  AGENT_WORKDIR: z.string().min(1).default(process.cwd()),
  /** JSON file `{ "bindings": [{ connection, space | conversation, cwd, command? }] }`. */
  AGENT_BINDINGS_FILE: optionalText(),
  /** Instead of an ACP agent: POST each admitted message here (signed), the answer is the reply. */
  AGENT_WEBHOOK_URL: optionalText().refine((v) => v === undefined || isHttpUrl(v), 'must be an http(s) URL'),
  /** Key of the webhook signature (HMAC-SHA256); required with AGENT_WEBHOOK_URL. */
  AGENT_WEBHOOK_SECRET: optionalText().refine((v) => v === undefined || v.length >= 32, 'must be at least 32 characters'),
  AGENT_WEBHOOK_TIMEOUT: duration('5m'),
  SESSION_SCOPE: z.enum(SESSION_SCOPES).default('thread'),
  // Fractions allowed (0.5 = 30 s), so a short idle close can be tried without waiting minutes.
  SESSION_IDLE_MINUTES: z.coerce.number().min(0.01).max(7 * 24 * 60).default(60),
  AGENT_MAX_PROCESSES: env.int(4).pipe(z.number().min(1).max(256)),
  /** A message older than this when the bridge first sees it is not run (the user is told). */
  AGENT_MAX_AGE: duration('10m'),
  /** An unanswered permission prompt rejects after this long. */
  PERMISSION_TIMEOUT: duration('10m'),
  /** Who else may answer a permission prompt or /cancel a turn: `<connection>:<userId>` or `<userId>`, comma-separated. */
  APPROVERS: z.string().default(''),
  TOOL_UPDATES: z.enum(TOOL_UPDATE_MODES).default('summary'),
  /** Least time between two edits of a growing answer, unless the gateway's profile asks for more. */
  EDIT_INTERVAL_MS: env.int(1_000).pipe(z.number().min(100).max(60_000)),
  CONSUMER_NAME: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a valid JetStream consumer name').default('agent'),
  /** Create the streams, the consumers and the KV bucket when missing (needs management permissions; off in production). */
  ENSURE_STREAMS: env.bool(true),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type AgentTarget =
  | { mode: 'acp'; command: string[] }
  | { mode: 'webhook'; url: string; secret: string; timeoutMs: number }
  | { mode: 'none' };

export interface AgentBridgeConfig {
  prefix: string;
  nats: { url: string; user?: string; password?: string };
  http: { port: number; host: string };
  target: AgentTarget;
  agentEnv: string[];
  workdir: string;
  bindingsFile?: string;
  sessionScope: SessionScope;
  sessionIdleMs: number;
  maxProcesses: number;
  maxAgeMs: number;
  permissionTimeoutMs: number;
  approvers: Approver[];
  toolUpdates: ToolUpdateMode;
  editIntervalMs: number;
  consumerName: string;
  ensureStreams: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** Validates the environment once at start-up; throws a ConfigError naming every bad variable. */
export function loadAgentBridgeConfig(source: NodeJS.ProcessEnv = process.env): AgentBridgeConfig {
  const e = loadConfig(SERVICE_NAME, AgentBridgeEnv, source);
  const problems: { variable: string; reason: string }[] = [];
  if (e.AGENT_COMMAND && e.AGENT_WEBHOOK_URL) problems.push({ variable: 'AGENT_WEBHOOK_URL', reason: 'set either AGENT_COMMAND or AGENT_WEBHOOK_URL, not both' });
  if (e.AGENT_WEBHOOK_URL && !e.AGENT_WEBHOOK_SECRET) problems.push({ variable: 'AGENT_WEBHOOK_SECRET', reason: 'is required with AGENT_WEBHOOK_URL' });
  if (!path.isAbsolute(e.AGENT_WORKDIR)) problems.push({ variable: 'AGENT_WORKDIR', reason: 'must be an absolute path' });
  let command: string[] = [];
  if (e.AGENT_COMMAND) {
    try {
      command = splitCommandLine(e.AGENT_COMMAND);
      // The agent starts in AGENT_WORKDIR: a relative path (node_modules/.bin/codex-acp) means from here, not there.
      if (command[0]?.includes('/') && !path.isAbsolute(command[0])) command[0] = path.resolve(command[0]);
    } catch (err) {
      problems.push({ variable: 'AGENT_COMMAND', reason: (err as Error).message });
    }
  }
  if (problems.length) throw new ConfigError(SERVICE_NAME, problems);
  const target: AgentTarget = e.AGENT_COMMAND
    ? { mode: 'acp', command }
    : e.AGENT_WEBHOOK_URL
      ? { mode: 'webhook', url: e.AGENT_WEBHOOK_URL, secret: e.AGENT_WEBHOOK_SECRET!, timeoutMs: e.AGENT_WEBHOOK_TIMEOUT }
      : { mode: 'none' };
  return {
    prefix: e.TWOKEY_SUBJECT_PREFIX,
    nats: { url: e.NATS_URL, user: e.NATS_USER, password: e.NATS_PASSWORD },
    http: { port: e.HTTP_PORT, host: e.HTTP_HOST },
    target,
    agentEnv: e.AGENT_ENV,
    workdir: e.AGENT_WORKDIR,
    bindingsFile: e.AGENT_BINDINGS_FILE,
    sessionScope: e.SESSION_SCOPE,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    maxProcesses: e.AGENT_MAX_PROCESSES,
    maxAgeMs: e.AGENT_MAX_AGE,
    permissionTimeoutMs: e.PERMISSION_TIMEOUT,
    approvers: parseApprovers(e.APPROVERS),
    toolUpdates: e.TOOL_UPDATES,
    editIntervalMs: e.EDIT_INTERVAL_MS,
    consumerName: e.CONSUMER_NAME,
    ensureStreams: e.ENSURE_STREAMS,
    logLevel: e.LOG_LEVEL,
  };
}
