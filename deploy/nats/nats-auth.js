'use strict';
// Expands deploy/nats/permissions.json (the one source of the NATS users, design §7) into nats-server configuration.
// Plain CommonJS with no dependencies: it runs in `npm start` before anything is built, in the Kubernetes generator
// and in the tests. Passwords never appear in the output: each user's password is the environment variable
// passwordEnvVar(user), resolved by nats-server at start (the local stack sets it, Kubernetes takes it from a Secret).
const { randomBytes } = require('node:crypto');
const definitions = require('./permissions.json');

const DEFAULT_PREFIX = 'twokey';
const DEFAULT_CONNECTIONS = Object.freeze(['telegram', 'discord', 'slack', 'mattermost', 'feishu', 'line']);
const PREFIX_PATTERN = /^[A-Za-z0-9_-]+$/;
const CONNECTION_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Stream names as libs/contracts `subjects(prefix).streams` builds them (a test keeps the two equal). */
function streamNames(prefix) {
  const upper = prefix.toUpperCase().replace(/-/g, '_');
  return { INBOUND: `${upper}_INBOUND`, ADMITTED: `${upper}_ADMITTED`, OUTBOUND: `${upper}_OUTBOUND`, DELIVERED: `${upper}_DELIVERED`, EVENTS: `${upper}_EVENTS` };
}

/** The KV bucket of logged-out admin sessions, as libs/messaging `sessionRevocationsBucket` names it. */
function sessionsBucket(prefix) {
  return `${prefix.toUpperCase().replace(/-/g, '_')}_ADMIN_SESSIONS`;
}

/** The agent bridge's KV bucket (stream KV_<bucket>), as apps/agent-bridge agentBucketName builds it (a test keeps them equal). */
function agentBucket(prefix) {
  return `${prefix.toUpperCase().replace(/-/g, '_')}_AGENT_SESSIONS`;
}

/** The KV bucket of the last connection tests, as libs/messaging `connectionTestsBucket` names it. */
function connectionTestsBucket(prefix) {
  return `${prefix.toUpperCase().replace(/-/g, '_')}_ADMIN_CONNECTION_TESTS`;
}

/** The object store buckets of snapshots, as libs/messaging `snapshotBucket` names them. */
function snapshotBuckets(prefix) {
  const upper = prefix.toUpperCase().replace(/-/g, '_');
  return { PAIRING_SNAPSHOTS: `${upper}_PAIRING_SNAPSHOTS`, ADMIN_SNAPSHOTS: `${upper}_ADMIN_SNAPSHOTS` };
}

/** Each user may subscribe only to its own inbox prefix; the client must connect with this `inboxPrefix`. */
function inboxPrefix(user) {
  return `_INBOX_${user}`;
}

/**
 * Cluster routes authenticate as this user, with the password in ROUTE_PASSWORD_ENV (Kubernetes: the Secret
 * twokey-nats-users, read by the NATS pods only). Without it any pod that reaches port 6222 could join the cluster
 * and receive every message.
 */
const ROUTE_USER = 'route';
const ROUTE_PASSWORD_ENV = 'TWOKEY_NATS_ROUTE_PASSWORD';

/** The variable holding the URL, credentials included, of the route to cluster node `i`. */
function routeUrlEnvVar(i) {
  return `TWOKEY_NATS_ROUTE_${i}`;
}

/** The environment variable nats-server reads the user's password from. */
function passwordEnvVar(user) {
  return `TWOKEY_NATS_PASSWORD_${user.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => {
    if (!(key in values)) throw new Error(`deploy/nats/permissions.json: unknown placeholder ${whole} in "${template}"`);
    return values[key];
  });
}

/** Entries naming {connection} in a user that is not per connection stand for one entry per connection. */
function expandList(list, values) {
  if (!list || !list.length) return undefined;
  return list.flatMap((s) =>
    values.connection === undefined && s.includes('{connection}') ? values.connections.map((connection) => fill(s, { ...values, connection })) : [fill(s, values)],
  );
}

function expandUser(def, values) {
  const name = fill(def.name, values);
  const v = { ...values, inbox: inboxPrefix(name) };
  const direction = (d) => {
    if (!d) return undefined;
    const out = { allow: expandList(d.allow, v) };
    const deny = expandList(d.deny, v);
    if (deny) out.deny = deny;
    return out;
  };
  const permissions = { publish: direction(def.publish), subscribe: direction(def.subscribe) };
  if (def.allowResponses) permissions.allow_responses = true;
  return { name, why: def.why, permissions };
}

/**
 * The users for one deployment: one per service, one gateway user per connection, the agent and the provisioner.
 * @param {{ prefix?: string, connections?: readonly string[] }} [options]
 */
function natsUsers(options = {}) {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const connections = options.connections ?? DEFAULT_CONNECTIONS;
  if (!PREFIX_PATTERN.test(prefix)) throw new Error(`subject prefix "${prefix}" is not a single NATS subject token`);
  for (const c of connections) {
    if (!CONNECTION_PATTERN.test(c)) throw new Error(`connection id "${c}" must be 1-63 chars of a-z, 0-9, "_" or "-"`);
  }
  const base = {
    prefix,
    connections,
    ...streamNames(prefix),
    SESSIONS: sessionsBucket(prefix),
    AGENT_KV: agentBucket(prefix),
    CONNECTION_TESTS: connectionTestsBucket(prefix),
    ...snapshotBuckets(prefix),
  };
  const users = [];
  for (const def of definitions.users) {
    if (def.perConnection) for (const connection of connections) users.push(expandUser(def, { ...base, connection }));
    else users.push(expandUser(def, base));
  }
  const byVar = new Map();
  for (const u of users) {
    const key = passwordEnvVar(u.name);
    if (byVar.has(key)) throw new Error(`NATS users "${byVar.get(key)}" and "${u.name}" would share the variable ${key}`);
    byVar.set(key, u.name);
  }
  return users;
}

// nats-server parses a variable's value as configuration: "3f…" is read as a number and refused, and other
// punctuation may end the token. Passwords are therefore a letter followed by letters and digits.
const PASSWORD_PATTERN = /^[A-Za-z][A-Za-z0-9]{23,}$/;

/** A random password that survives nats-server's variable parsing (192 bits). */
function generatePassword() {
  return `p${randomBytes(24).toString('hex')}`;
}

function isUsablePassword(password) {
  return PASSWORD_PATTERN.test(password);
}

/** The user names, e.g. to generate one password each. */
function natsUserNames(options) {
  return natsUsers(options).map((u) => u.name);
}

const quote = (s) => JSON.stringify(s);

function renderDirection(d, indent) {
  const list = (key, subjects) => `${indent}${key}: [\n${subjects.map((s) => `${indent}  ${quote(s)}`).join('\n')}\n${indent}]`;
  const lines = [];
  if (d.allow) lines.push(list('allow', d.allow));
  if (d.deny) lines.push(list('deny', d.deny));
  return lines.join('\n');
}

/**
 * The `authorization { users = [...] }` block. Every password is an unquoted `$VARIABLE` reference (nats-server
 * resolves it from its environment and refuses to start if it is missing).
 * @param {ReturnType<typeof natsUsers>} users
 */
function renderAuthorization(users) {
  const blocks = users.map((u) => {
    const p = u.permissions;
    const parts = [];
    if (p.publish) parts.push(`      publish: {\n${renderDirection(p.publish, '        ')}\n      }`);
    if (p.subscribe) parts.push(`      subscribe: {\n${renderDirection(p.subscribe, '        ')}\n      }`);
    if (p.allow_responses) parts.push('      allow_responses: true');
    return [
      `    # ${u.why}`,
      `    { user: ${quote(u.name)}, password: $${passwordEnvVar(u.name)}, permissions: {`,
      parts.join('\n'),
      '    } }',
    ].join('\n');
  });
  return `authorization {\n  users = [\n${blocks.join('\n')}\n  ]\n}\n`;
}

module.exports = {
  ROUTE_USER,
  ROUTE_PASSWORD_ENV,
  routeUrlEnvVar,
  DEFAULT_PREFIX,
  DEFAULT_CONNECTIONS,
  streamNames,
  sessionsBucket,
  agentBucket,
  snapshotBuckets,
  connectionTestsBucket,
  inboxPrefix,
  passwordEnvVar,
  generatePassword,
  isUsablePassword,
  natsUsers,
  natsUserNames,
  renderAuthorization,
};
