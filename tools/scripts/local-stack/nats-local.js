'use strict';
// The local single-node `nats-server -js`: data in <TWOKEY_HOME>/nats, a generated configuration with the §7 users
// (deploy/nats/permissions.json) whose passwords reach nats-server only through its environment.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const auth = require('../../../deploy/nats/nats-auth.js');
const { Child } = require('./processes.js');

const INSTALL_HELP = [
  'nats-server was not found. Install it (version 2.9.10 or newer), then run npm start again:',
  '  Debian/Ubuntu:  sudo apt-get install nats-server',
  '  macOS:          brew install nats-server',
  '  other systems:  https://docs.nats.io/running-a-nats-service/introduction/installation',
  'Or set NATS_URL to a JetStream-enabled server you run yourself (or NATS_SERVER_BIN to the binary).',
].join('\n');

function findNatsServer(env = process.env) {
  if (env.NATS_SERVER_BIN) return fs.existsSync(env.NATS_SERVER_BIN) ? env.NATS_SERVER_BIN : undefined;
  const dirs = [...(env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/bin', '/opt/homebrew/bin'];
  return dirs.filter(Boolean).map((d) => path.join(d, 'nats-server')).find((p) => fs.existsSync(p));
}

/** Resolves to an error message when the port cannot be bound on `host`, else undefined. */
function portProblem(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', (e) => resolve(e.code === 'EADDRINUSE' ? 'is already in use' : e.message));
    srv.listen(port, host, () => srv.close(() => resolve(undefined)));
  });
}

/** nats-server's own notices that are expected here (passwords are variables read from a mode-600 file). */
const QUIET = /Plaintext passwords detected/;
const important = (line) => /\[(WRN|ERR|FTL)\]/.test(line) && !QUIET.test(line);

/**
 * Writes the configuration and starts nats-server; resolves once it reports ready. `passwords`: user → password.
 */
async function startLocalNats({ bin, home, port, prefix, connections, passwords }) {
  const dir = path.join(home, 'nats');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const confFile = path.join(home, 'nats-server.conf');
  const users = auth.natsUsers({ prefix, connections });
  fs.writeFileSync(
    confFile,
    [
      '# Written by npm start (tools/scripts/local-stack/nats-local.js) at every start; edits are overwritten.',
      '# Users and permissions: deploy/nats/permissions.json. Passwords: $VARIABLES set from secrets.json.',
      'server_name: twokey-local',
      auth.renderAuthorization(users),
    ].join('\n'),
    { mode: 0o600 },
  );
  const env = { PATH: process.env.PATH ?? '' };
  for (const u of users) env[auth.passwordEnvVar(u.name)] = passwords[u.name];
  let ready = false;
  const log = fs.createWriteStream(path.join(home, 'nats-server.log'), { flags: 'a', mode: 0o600 });
  const child = new Child('nats-server', bin, ['-c', confFile, '-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], {
    env,
    filter: important,
    onLine: (line) => {
      log.write(line + '\n');
      if (line.includes('Server is ready')) ready = true;
    },
  });
  child.exited.then(() => log.end());
  const deadline = Date.now() + 20_000;
  while (!ready) {
    if (!child.running) {
      const r = await child.exited;
      throw new Error(`nats-server exited (${r.error?.message ?? r.code ?? r.signal}):\n  ${child.tail.slice(-8).join('\n  ')}`);
    }
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`nats-server did not become ready within 20 s (log: ${path.join(home, 'nats-server.log')})`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, url: `nats://127.0.0.1:${port}` };
}

module.exports = { INSTALL_HELP, findNatsServer, portProblem, startLocalNats };
