'use strict';
// What `npm start` runs: the two core services always, each gateway only when its credentials are set. Each child
// gets its own NATS user and only its own secrets (a gateway never sees another platform's token or the admin hashes).
const fs = require('node:fs');
const path = require('node:path');

const CORE = [
  { name: 'pairing-service', portVar: 'PAIRING_HTTP_PORT', defaultPort: 3001 },
  { name: 'admin-api', portVar: 'ADMIN_HTTP_PORT', defaultPort: 3000 },
];

/**
 * `requires`: every group must have one variable set (a group of several means "one of them"); `label` words a group
 * in the idle line when the variables alone do not say it.
 */
const GATEWAYS = [
  { platform: 'telegram', defaultPort: 3010, requires: [['TELEGRAM_BOT_TOKEN']] },
  { platform: 'discord', defaultPort: 3011, requires: [['DISCORD_BOT_TOKEN']] },
  {
    platform: 'slack',
    defaultPort: 3012,
    requires: [['SLACK_BOT_TOKEN'], ['SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN']],
    labels: { SLACK_SIGNING_SECRET: 'SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN with SLACK_MODE=socket)' },
  },
  { platform: 'mattermost', defaultPort: 3013, requires: [['MATTERMOST_URL'], ['MATTERMOST_TOKEN']] },
  // FEISHU_VERIFICATION_TOKEN is needed in webhook mode only; the gateway itself names it when it is missing.
  { platform: 'feishu', defaultPort: 3014, requires: [['FEISHU_APP_ID'], ['FEISHU_APP_SECRET']] },
  { platform: 'line', defaultPort: 3015, requires: [['LINE_CHANNEL_SECRET'], ['LINE_CHANNEL_ACCESS_TOKEN']] },
];

/** The agent bridge runs once an agent is named: an ACP command or a webhook (apps/agent-bridge). */
const AGENT = { name: 'agent-bridge', portVar: 'AGENT_HTTP_PORT', defaultPort: 3020, requires: ['AGENT_COMMAND', 'AGENT_WEBHOOK_URL'] };

/** Secrets of one service that no other child may receive. */
const OWN_SECRETS = {
  'pairing-service': ['PAIRING_HMAC_SECRET', 'RPC_AUTH_SECRET'],
  'admin-api': ['ADMIN_TOKEN_HASHES', 'SESSION_SECRET', 'RPC_AUTH_SECRET'],
  'agent-bridge': ['AGENT_WEBHOOK_SECRET'],
};
/** Secrets held by several services and no others: the reply capability key, never the admin-api's (or an agent's). */
const SHARED_SECRETS = {
  REPLY_CAPABILITY_SECRET: (name) => name === 'pairing-service' || name.startsWith('gateway-'),
};
const platformVarPrefix = (platform) => `${platform.toUpperCase()}_`;
const isSet = (env, key) => env[key] !== undefined && env[key] !== '';

function port(env, variable, fallback) {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${variable} must be a TCP port (1-65535), got "${raw}"`);
  return n;
}

function describeMissing(groups, labels = {}) {
  const parts = groups.map((g) => labels[g[0]] ?? (g.length === 1 ? g[0] : `${g[0]} (or ${g.slice(1).join(' or ')})`));
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** Connection id of each platform: `<PLATFORM>_CONNECTION_ID`, else the platform's name. */
function connectionIds(env) {
  return GATEWAYS.map((g) => env[`${platformVarPrefix(g.platform)}CONNECTION_ID`] || g.platform);
}

/**
 * Decides what runs. `root` is the repository (for dist/). Returns the services to start (name, main, port, and for
 * gateways platform and connection) and the idle gateways with the line that says how to enable each.
 */
function planServices(env, root) {
  const main = (name) => path.join(root, 'dist', 'apps', name, 'src', 'main.js');
  const run = CORE.map((c) => ({ name: c.name, main: main(c.name), port: port(env, c.portVar, c.defaultPort), core: true }));
  const idle = [];
  const ids = connectionIds(env);
  GATEWAYS.forEach((g, i) => {
    const name = `gateway-${g.platform}`;
    const missing = g.requires.filter((group) => !group.some((k) => isSet(env, k)));
    if (missing.length) {
      idle.push({ name, reason: `set ${describeMissing(missing, g.labels)} to enable` });
    } else if (!fs.existsSync(main(name))) {
      idle.push({ name, reason: `not in this build (${path.relative(root, main(name))} is missing)` });
    } else {
      const prefix = platformVarPrefix(g.platform);
      run.push({ name, main: main(name), port: port(env, `${prefix}HTTP_PORT`, g.defaultPort), platform: g.platform, connection: ids[i] });
    }
  });
  if (!AGENT.requires.some((k) => isSet(env, k))) {
    idle.push({ name: AGENT.name, reason: 'set AGENT_COMMAND (e.g. codex-acp) or AGENT_WEBHOOK_URL to talk to your agent' });
  } else if (!fs.existsSync(main(AGENT.name))) {
    idle.push({ name: AGENT.name, reason: `not in this build (${path.relative(root, main(AGENT.name))} is missing)` });
  } else {
    run.push({ name: AGENT.name, main: main(AGENT.name), port: port(env, AGENT.portVar, AGENT.defaultPort), agent: true });
  }
  return { run, idle, connections: GATEWAYS.map((g, i) => ({ platform: g.platform, id: ids[i] })) };
}

/**
 * The environment of one child: the shared environment minus every secret that belongs to another service (and
 * minus the NATS passwords, which only nats-server reads), plus `overrides`.
 */
function childEnv(service, env, overrides) {
  const out = {};
  const foreignPlatforms = GATEWAYS.filter((g) => `gateway-${g.platform}` !== service.name).map((g) => platformVarPrefix(g.platform));
  const foreignSecrets = Object.entries(OWN_SECRETS).filter(([owner]) => owner !== service.name).flatMap(([, keys]) => keys);
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || v === '') continue;
    if (k.startsWith('TWOKEY_NATS_PASSWORD_') || foreignSecrets.includes(k)) continue;
    if (SHARED_SECRETS[k] && !SHARED_SECRETS[k](service.name)) continue;
    if (foreignPlatforms.some((p) => k.startsWith(p))) continue;
    out[k] = v;
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = String(v);
  }
  return out;
}

module.exports = { CORE, GATEWAYS, AGENT, SHARED_SECRETS, planServices, childEnv, connectionIds };
