// /console/settings/agent — the agent bridge: which agent, whether it can work, its sessions and turns.
import { get } from '../api.js';
import { h, swap } from '../dom.js';
import { ago } from '../format.js';
import { notice } from '../ui.js';

const REFRESH_MS = 5_000;

const AUTH = { ok: 'Ready', required: 'Needs authentication (API key or login)', unknown: 'Not known yet (no session opened)' };

function row(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

function body(view) {
  if (!view.running) {
    return [notice('info', 'No agent bridge answers. Set AGENT_COMMAND (e.g. codex-acp) or AGENT_WEBHOOK_URL and start it (npm start runs it then).')];
  }
  const s = view.status;
  const agent = s.agent ? `${s.agent.title ?? s.agent.name}${s.agent.version ? ` ${s.agent.version}` : ''} (${s.agent.name})` : s.mode === 'none' ? 'none configured' : 'not started yet';
  const rows = [
    ...row('Agent', agent),
    ...row('Mode', s.mode === 'acp' ? 'ACP process' : s.mode === 'webhook' ? 'Webhook' : 'Idle (no agent configured)'),
    ...row('State', AUTH[s.auth] ?? s.auth),
    ...row('Sessions', `${s.sessions} open (one per ${s.sessionScope})${s.loadSession ? ', resumed after a restart' : ''}`),
    ...row('Processes', `${s.processes.running} of ${s.processes.max}`),
    ...row('Turns', `${s.runningTurns} running · ${s.queueDepth} queued · ${s.pendingPermissions} waiting for permission`),
    ...row('Not run (too old)', String(s.staleSkipped)),
    ...row('Replies not delivered', s.lastDeliveryFailure
      ? `${s.deliveryFailures}, last ${ago(s.lastDeliveryFailure.at)}: ${s.lastDeliveryFailure.failure ?? ''} ${s.lastDeliveryFailure.reason ?? ''}`
      : String(s.deliveryFailures)),
  ];
  const out = [h('dl', { class: 'ids' }, rows)];
  if (s.lastError) out.push(notice(s.lastError.kind === 'auth-required' ? 'warn' : 'error', `Last problem (${ago(s.lastError.at)}): ${s.lastError.message}`));
  return out;
}

export async function renderAgent(main) {
  const draw = async () => {
    let view;
    try {
      view = await get('/agent');
    } catch (e) {
      view = { error: e.message };
    }
    swap(main,
      h('p', { class: 'crumbs' }, 'Settings › Agent'),
      h('h1', {}, 'Agent'),
      h('p', { class: 'lead' }, 'What paired users talk to: the agent bridge and the agent behind it.'),
      ...(view.error ? [notice('error', `Could not load the agent status: ${view.error}`)] : body(view)),
    );
  };
  await draw();
  const timer = setInterval(() => document.visibilityState === 'visible' && draw(), REFRESH_MS);
  return () => clearInterval(timer);
}
