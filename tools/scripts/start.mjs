#!/usr/bin/env node
// `npm start`: the whole stack on this machine. Loads .env, builds dist/ if it is stale, starts a single-node
// `nats-server -js` (unless NATS_URL is set) with one NATS user per service, provisions the streams, then runs the
// pairing-service, the admin-api and every gateway whose credentials are set. Ctrl-C stops the services, then NATS.
// The pieces live in tools/scripts/local-stack/ (plain CommonJS, so this runs before anything is compiled).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { loadDotenv } = require('./local-stack/dotenv.js');
const { planServices, childEnv } = require('./local-stack/services.js');
const { loadOrCreateSecrets, rotateAdminToken, markAdminTokenShown } = require('./local-stack/secret-store.js');
const { INSTALL_HELP, findNatsServer, portProblem, startLocalNats } = require('./local-stack/nats-local.js');
const { Child, setLabelWidth, say, killAllNow } = require('./local-stack/processes.js');
const { waitReady } = require('./local-stack/readiness.js');
const { buildReason } = require('./local-stack/build-check.js');
const { lockHome } = require('./local-stack/home-lock.js');
const { loadOrCreateCliToken, writeStackRecord } = require('./local-stack/stack-record.js');
const { formatterFor } = require('./local-stack/log-format.js');
const auth = require('../../deploy/nats/nats-auth.js');

const HELP = `usage: npm start [-- --new-admin-token]

Runs Twokey on this machine: nats-server -js (unless NATS_URL is set), pairing-service, admin-api, every
gateway whose credentials are set, and the agent bridge when AGENT_COMMAND or AGENT_WEBHOOK_URL is set. Prints
the console URL and, on the first run, the admin token. Ctrl-C stops it; the next start keeps all data (TWOKEY_HOME).

Environment (also read from .env in the repository root; see .env.example for every variable):
  TWOKEY_HOME               data: NATS store, secrets.json, nats-server.log (default .twokey)
  TWOKEY_NATS_PORT          port of the local nats-server (default 4222)
  NATS_URL                  use this JetStream server instead (NATS_USER/NATS_PASSWORD then serve every service)
  ADMIN_HTTP_PORT           admin-api and console (default 3000)
  PAIRING_HTTP_PORT         pairing-service health/metrics (default 3001)
  <PLATFORM>_HTTP_PORT      gateway ports: TELEGRAM 3010, DISCORD 3011, SLACK 3012, MATTERMOST 3013, FEISHU 3014, LINE 3015
  <PLATFORM>_CONNECTION_ID  connection id of that platform's bot (default: the platform's name)
  AGENT_COMMAND             your ACP agent, e.g. codex-acp (or AGENT_WEBHOOK_URL): runs the agent bridge
  AGENT_HTTP_PORT           agent bridge health/metrics (default 3020); its workspace: TWOKEY_HOME/workspace
  HTTP_HOST                 interface the services listen on (default 127.0.0.1)
  LOG_FORMAT                json: show the services' JSON log lines as they are (default: readable lines)

Options:
  --new-admin-token         replace the admin token and the session secret (the old token and every console
                            session stop working) and print the new token
  --help                    this text`;

const STOP_TIMEOUT_MS = 10_000;

let services = [];
let nats;
let shutdownStarted = 0;

async function shutdown(code, why) {
  if (shutdownStarted) return;
  shutdownStarted = Date.now();
  say(`stopping${why ? ` (${why})` : ''}…`);
  await Promise.all(services.map((c) => c.stop(STOP_TIMEOUT_MS)));
  if (nats) await nats.child.stop(STOP_TIMEOUT_MS);
  say('stopped');
  process.exit(code);
}

function onSignal(signal) {
  if (!shutdownStarted) {
    void shutdown(0, signal);
  } else if (Date.now() - shutdownStarted > 2_000) {
    // npm forwards the terminal's Ctrl-C as a second signal at once; only a later one means "stop now".
    say('forced stop');
    killAllNow();
    process.exit(130);
  }
}

function fail(message) {
  say(message);
  if (shutdownStarted || (!nats && services.length === 0)) process.exit(1);
  void shutdown(1, 'start-up failed');
}

function natsSettings(env, service, secrets) {
  if (env.NATS_URL) return { NATS_URL: env.NATS_URL, NATS_USER: env.NATS_USER, NATS_PASSWORD: env.NATS_PASSWORD };
  return { NATS_URL: nats.url, NATS_USER: service, NATS_PASSWORD: secrets.natsPasswords[service] };
}

function serviceOverrides(s, env, secrets, plan, host, cli, home) {
  const base = { ...natsSettings(env, s.name, secrets), HTTP_PORT: s.port, HTTP_HOST: host, ENSURE_STREAMS: 'false' };
  const rpcAuth = { RPC_AUTH_SECRET: env.RPC_AUTH_SECRET || secrets.rpcAuthSecret };
  const replyKey = env.REPLY_CAPABILITY_SECRET || secrets.replyCapabilitySecret;
  if (s.name === 'pairing-service') return { ...base, ...rpcAuth, PAIRING_HMAC_SECRET: env.PAIRING_HMAC_SECRET || secrets.pairingHmacSecret, REPLY_CAPABILITY_SECRET: replyKey };
  if (s.name === 'admin-api') {
    const running = plan.run.filter((r) => r.platform).map((r) => `${r.connection}:${r.platform}`);
    return {
      ...base,
      ADMIN_TOKEN_HASHES: [`${secrets.admin.id}:${secrets.admin.tokenSha256}`, `${cli.id}:${cli.sha256}`, env.ADMIN_TOKEN_HASHES].filter(Boolean).join(','),
      SESSION_SECRET: env.SESSION_SECRET || secrets.sessionSecret,
      ...rpcAuth,
      CONNECTIONS: env.CONNECTIONS || running.join(','),
    };
  }
  if (s.agent) {
    // The agent works in its own folder under TWOKEY_HOME unless told otherwise, never in this repository.
    const workdir = env.AGENT_WORKDIR || path.join(home, 'workspace');
    fs.mkdirSync(workdir, { recursive: true });
    return { ...base, AGENT_WORKDIR: workdir };
  }
  return { ...base, TWOKEY_CONNECTION_ID: s.connection, REPLY_CAPABILITY_SECRET: replyKey };
}

/** Options, .env, the plan of what runs, a fresh dist/ and the home folder with its secrets. */
function prepare(args) {
  const env = process.env;
  const loaded = loadDotenv(path.join(root, '.env'), env);
  const host = env.HTTP_HOST || '127.0.0.1';
  const cfg = {
    env,
    prefix: env.TWOKEY_SUBJECT_PREFIX || auth.DEFAULT_PREFIX,
    host,
    // Where the services are reached from here (a wildcard listen address is reached on loopback).
    reachHost: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host,
    home: path.resolve(root, env.TWOKEY_HOME || '.twokey'),
    natsPort: Number(env.TWOKEY_NATS_PORT || 4222),
  };
  if (!Number.isInteger(cfg.natsPort) || cfg.natsPort < 1 || cfg.natsPort > 65535) {
    throw new Error(`TWOKEY_NATS_PORT must be a TCP port, got "${env.TWOKEY_NATS_PORT}"`);
  }
  let plan = planServices(env, root);
  setLabelWidth(['nats-server', ...plan.run.map((s) => s.name), ...plan.idle.map((s) => s.name)]);
  if (loaded.length) say(`loaded ${loaded.length} variables from .env`);
  const reason = buildReason(root, plan.run.filter((s) => s.core).map((s) => s.main));
  if (reason) {
    say(`building dist/ (${reason})…`);
    const r = spawnSync(process.execPath, [path.join(root, 'tools/scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('the build failed (see above)');
    plan = planServices(env, root);
  }
  cfg.plan = plan;
  cfg.connections = plan.connections.map((c) => c.id);
  lockHome(cfg.home);
  const { secrets, adminToken } = loadOrCreateSecrets(cfg.home, auth.natsUserNames({ prefix: cfg.prefix, connections: cfg.connections }));
  cfg.secrets = secrets;
  cfg.cliToken = loadOrCreateCliToken(cfg.home);
  cfg.adminToken = adminToken ?? (args.includes('--new-admin-token') ? rotateAdminToken(cfg.home, secrets) : undefined);
  return cfg;
}

/** The first port from `from` on that nobody listens on (127.0.0.1). */
async function freeLocalPort(from) {
  for (let port = from; port < from + 100; port++) if (!(await portProblem(port, '127.0.0.1'))) return port;
  throw new Error(`no free port between ${from} and ${from + 99} for the local nats-server; set TWOKEY_NATS_PORT`);
}

async function checkPorts(cfg) {
  const checks = cfg.plan.run.map((s) => ({ what: `${s.name} port ${s.port}`, port: s.port, host: cfg.host }));
  if (!cfg.env.NATS_URL) checks.unshift({ what: `TWOKEY_NATS_PORT ${cfg.natsPort}`, port: cfg.natsPort, host: '127.0.0.1', nats: true });
  for (const c of checks) {
    const problem = await portProblem(c.port, c.host);
    if (!problem) continue;
    if (c.nats && !cfg.env.TWOKEY_NATS_PORT) {
      // Machines often run a system nats-server on 4222: use a free port rather than refuse to start.
      cfg.natsPort = await freeLocalPort(cfg.natsPort + 1);
      say(`port 4222 ${problem}; starting the local nats-server on ${cfg.natsPort} instead (set TWOKEY_NATS_PORT to choose)`);
      continue;
    }
    const hint = c.nats
      ? 'Is another nats-server running? Set TWOKEY_NATS_PORT to a free port, or NATS_URL to use that server.'
      : 'Set its *_HTTP_PORT variable (npm start -- --help) to a free port.';
    throw new Error(`${c.what} ${problem}. ${hint}`);
  }
}

/** The local nats-server (unless NATS_URL is set), then the streams and consumers. Returns the NATS URL. */
async function startBus(cfg) {
  const { env, secrets } = cfg;
  let url = env.NATS_URL;
  if (!url) {
    const bin = findNatsServer(env);
    if (!bin) {
      console.error(INSTALL_HELP);
      process.exit(1);
    }
    nats = await startLocalNats({ bin, home: cfg.home, port: cfg.natsPort, prefix: cfg.prefix, connections: cfg.connections, passwords: secrets.natsPasswords });
    url = nats.url;
    nats.child.exited.then((r) => !shutdownStarted && fail(`nats-server exited unexpectedly (${r.code ?? r.signal})`));
    say(`nats-server ready on ${url} (data in ${path.join(cfg.home, 'nats')})`);
  }
  const { provision } = require('../../deploy/nats/provision.js');
  try {
    await provision({
      url,
      user: env.NATS_URL ? env.NATS_USER : 'provisioner',
      password: env.NATS_URL ? env.NATS_PASSWORD : secrets.natsPasswords.provisioner,
      prefix: cfg.prefix,
      replicas: Number(env.STREAM_REPLICAS || 1),
      connections: cfg.connections,
      timeoutMs: 30_000,
      log: (line) => say(line),
    });
  } catch (e) {
    if (!env.NATS_URL) throw new Error(`could not create the streams: ${e.message}`);
    say(`could not create the streams on ${url} (${e.message}); assuming they exist`);
  }
}

/** Spawns every planned service; waits for the core ones' /readyz, reports the gateways' as they come. */
async function startServices(cfg) {
  for (const i of cfg.plan.idle) say(`${i.name} idle: ${i.reason}`);
  // The pairing-service runs with the node options of its deployment (built into dist/ before this runs).
  const { PAIRING_SERVICE_NODE_ARGS } = require(path.join(root, 'dist/apps/pairing-service/src/runtime-options.js'));
  for (const s of cfg.plan.run) {
    const nodeArgs = s.name === 'pairing-service' ? PAIRING_SERVICE_NODE_ARGS : [];
    const child = new Child(s.name, process.execPath, [...nodeArgs, '--enable-source-maps', s.main], {
      cwd: root,
      env: childEnv(s, cfg.env, serviceOverrides(s, cfg.env, cfg.secrets, cfg.plan, cfg.host, cfg.cliToken, cfg.home)),
      format: formatterFor(cfg.env),
    });
    child.core = s.core;
    child.url = `http://${cfg.reachHost}:${s.port}`;
    services.push(child);
    child.exited.then((r) => {
      if (shutdownStarted || child.stopping) return;
      const how = r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `code ${r.code}`;
      if (child.core) fail(`${s.name} exited unexpectedly (${how})`);
      else say(`${s.name} exited (${how}); the rest keeps running`);
    });
  }
  const gone = (c) => () => (c.running ? undefined : `${c.name} exited during start-up`);
  await Promise.all(services.filter((c) => c.core).map((c) => waitReady(`${c.url}/readyz`, { timeoutMs: 90_000, gone: gone(c) })));
  for (const g of services.filter((c) => !c.core)) {
    waitReady(`${g.url}/readyz`, { timeoutMs: 60_000, gone: gone(g) }).then(
      () => say(`${g.name} ready`),
      (e) => !shutdownStarted && say(`${g.name} is not ready: ${e.message}`),
    );
  }
}

function announce(cfg) {
  const admin = cfg.plan.run.find((s) => s.name === 'admin-api');
  say(`ready: ${services.filter((c) => c.core).map((c) => c.name).join(', ')}`);
  say(`console: http://${cfg.reachHost}:${admin.port}/console/`);
  writeStackRecord(cfg.home, {
    adminUrl: `http://${cfg.reachHost}:${admin.port}`,
    nats: { url: cfg.env.NATS_URL || nats.url, user: cfg.env.NATS_URL ? cfg.env.NATS_USER : 'admin-api' },
    prefix: cfg.prefix,
    connections: cfg.connections,
  });
  say('CLI: npx twokey --help (against this stack it needs no flags)');
  if (cfg.adminToken) {
    say(`admin token (shown once; only its hash is kept in ${path.join(cfg.home, 'secrets.json')}): ${cfg.adminToken}`);
    markAdminTokenShown(cfg.home, cfg.secrets);
  } else {
    say('admin token: the one printed on the first run (npm start -- --new-admin-token makes a new one)');
  }
  say('press Ctrl-C to stop');
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(HELP);
    return;
  }
  const unknown = args.filter((a) => a !== '--new-admin-token');
  if (unknown.length) throw new Error(`unknown option ${unknown[0]} (see npm start -- --help)`);
  const cfg = prepare(args);
  await checkPorts(cfg);
  await startBus(cfg);
  if (shutdownStarted) return;
  await startServices(cfg);
  announce(cfg);
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);
process.on('exit', killAllNow);
main().catch((e) => fail(`error: ${e.message}`));
