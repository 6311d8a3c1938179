/** Every text the bridge itself writes to chat: short, plain, and never containing a secret or an error dump. */
export const NOTICES = {
  authRequired:
    'The agent needs authentication before it can answer: the operator must give it an API key (e.g. CODEX_API_KEY in AGENT_ENV) or log it in. Send your message again afterwards.',
  crashed: 'The agent stopped unexpectedly during this turn and was restarted. Your message was not finished: send it again.',
  interrupted: 'The agent bridge restarted while this message was being answered, so it was interrupted. Send it again if you still need it.',
  unavailable: 'The agent could not be started right now. The operator can see why in the agent status; try again later.',
  failed: 'The agent failed to answer this message. Try again, or /new for a fresh session.',
  notConfigured: 'No agent is configured for this bot yet.',
  stale: 'Messages sent while the agent was offline were too old when it came back and were not run. Send again what you still need.',
  freshSession: 'The previous agent session could not be resumed; this is a fresh one.',
  emptyAnswer: '(the agent finished without a reply)',
  cutShort: '(cut short)',
  cancelledBeforeStart: 'Cancelled before the agent started.',
  permissionTimedOut: 'No answer in time: the agent was told no.',
  cancelling: 'Cancelling the running turn.',
  nothingToCancel: 'Nothing is running.',
  notAllowedToCancel: 'Only the person who started this turn can cancel it.',
  newSession: 'The next message starts a new agent session.',
} as const;
