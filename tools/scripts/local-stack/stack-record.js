'use strict';
// What `npm start` leaves in TWOKEY_HOME for the `twokey` CLI, so it needs no flags against the local stack:
//   stack.json     (while the stack runs) where the admin-api and NATS are: the ports npm start chose;
//   cli-token.json (mode 600) an admin token of its own, id `local-cli`, whose hash the local admin-api accepts, so
//                  every CLI action goes through the admin API and is audited with `local-cli` as the actor.
// Storing that token in plaintext adds no exposure: whoever reads TWOKEY_HOME already reads secrets.json (the NATS
// passwords and the HMAC key). The admin's own token stays hash-only.
const fs = require('node:fs');
const path = require('node:path');
const { newAdminToken } = require('../../../deploy/secrets.js');

const CLI_ADMIN_ID = 'local-cli';
const STACK_FILE = 'stack.json';
const CLI_TOKEN_FILE = 'cli-token.json';

function writePrivate(file, value) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}

/** The CLI's admin token: made on the first start, then kept. Returns `{ id, token, sha256 }`. */
function loadOrCreateCliToken(home) {
  const file = path.join(home, CLI_TOKEN_FILE);
  try {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (saved.id === CLI_ADMIN_ID && typeof saved.token === 'string' && /^[0-9a-f]{64}$/.test(saved.sha256)) return saved;
  } catch {
    // missing or unreadable: make a new one
  }
  const { token, sha256 } = newAdminToken();
  const created = { id: CLI_ADMIN_ID, token, sha256 };
  writePrivate(file, created);
  return created;
}

/** Records where the running stack is; removed when this process exits (a stale file names a dead pid). */
function writeStackRecord(home, record) {
  const file = path.join(home, STACK_FILE);
  writePrivate(file, { version: 1, pid: process.pid, startedAt: new Date().toISOString(), ...record });
  process.on('exit', () => {
    try {
      if (JSON.parse(fs.readFileSync(file, 'utf8')).pid === process.pid) fs.unlinkSync(file);
    } catch {
      // already gone
    }
  });
}

module.exports = { CLI_ADMIN_ID, STACK_FILE, CLI_TOKEN_FILE, loadOrCreateCliToken, writeStackRecord };
