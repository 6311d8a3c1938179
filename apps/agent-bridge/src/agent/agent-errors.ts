/** The agent refuses to work until it is given a key or a login (codex-acp: -32000 "Authentication required"). */
export class AgentAuthRequired extends Error {
  override readonly name = 'AgentAuthRequired';
}

/** The agent process exited (or its connection closed) while work was in flight. */
export class AgentCrashed extends Error {
  override readonly name = 'AgentCrashed';
}

/** The agent could not be started or reached (bad command, AGENT_MAX_PROCESSES reached, webhook down). */
export class AgentUnavailable extends Error {
  override readonly name = 'AgentUnavailable';
}

/** The agent answered a request with an error of its own. */
export class AgentFailed extends Error {
  override readonly name = 'AgentFailed';
}
