'use strict';
// <TWOKEY_HOME>/secrets.json (mode 600): what the local stack generated on its first run. The admin token itself is
// never stored, only its SHA-256: the plaintext is returned once, to be printed. Until start.mjs confirms it was
// printed (markAdminTokenShown), the next start replaces it, so a start that failed early never loses the only copy.
const fs = require('node:fs');
const path = require('node:path');
const auth = require('../../../deploy/nats/nats-auth.js');
const { ADMIN_ID, newAdminToken, randomSecret } = require('../../../deploy/secrets.js');

const FILE = 'secrets.json';

function save(home, secrets) {
  const file = path.join(home, FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}

/**
 * Loads the secrets, creating them on the first run and adding a password for any NATS user that is new (a new
 * connection id). Returns `{ secrets, firstRun, adminToken }`; adminToken is set only when a token was just made.
 */
function loadOrCreateSecrets(home, natsUsers) {
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = path.join(home, FILE);
  let secrets;
  let adminToken;
  let changed = false;
  const firstRun = !fs.existsSync(file);
  if (firstRun) {
    const admin = newAdminToken();
    adminToken = admin.token;
    secrets = {
      version: 1,
      createdAt: new Date().toISOString(),
      natsPasswords: {},
      pairingHmacSecret: randomSecret(),
      rpcAuthSecret: randomSecret(),
      replyCapabilitySecret: randomSecret(),
      sessionSecret: randomSecret(),
      admin: { id: ADMIN_ID, tokenSha256: admin.sha256, shown: false },
    };
    changed = true;
  } else {
    try {
      secrets = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`${file} is not valid JSON (${e.message}); restore it or delete it to start over with new secrets`);
    }
    if (secrets.version !== 1 || !secrets.admin?.tokenSha256 || !secrets.pairingHmacSecret) {
      throw new Error(`${file} is incomplete; restore it or delete it to start over with new secrets`);
    }
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    // Homes made before the RPC proof (L2) get their secret on the next start.
    if (!secrets.rpcAuthSecret) {
      secrets.rpcAuthSecret = randomSecret();
      changed = true;
    }
    // A home made before reply capabilities existed gets its key now.
    if (!secrets.replyCapabilitySecret) {
      secrets.replyCapabilitySecret = randomSecret();
      changed = true;
    }
    if (secrets.admin.shown === false) {
      const admin = newAdminToken();
      adminToken = admin.token;
      secrets.admin = { ...secrets.admin, tokenSha256: admin.sha256 };
      changed = true;
    }
  }
  for (const user of natsUsers) {
    if (!auth.isUsablePassword(secrets.natsPasswords[user] ?? '')) {
      secrets.natsPasswords[user] = auth.generatePassword();
      changed = true;
    }
  }
  if (changed) save(home, secrets);
  return { secrets, firstRun, adminToken };
}

/**
 * Replaces the admin token (the old one stops working at once) and the session secret, so every console session
 * signed before ends too (M2); returns the new plaintext token.
 */
function rotateAdminToken(home, secrets) {
  const admin = newAdminToken();
  secrets.admin = { id: secrets.admin?.id ?? ADMIN_ID, tokenSha256: admin.sha256, shown: false };
  secrets.sessionSecret = randomSecret();
  save(home, secrets);
  return admin.token;
}

/** The token was printed: from now on it is the admin's to keep. */
function markAdminTokenShown(home, secrets) {
  secrets.admin = { ...secrets.admin, shown: true };
  save(home, secrets);
}

module.exports = { loadOrCreateSecrets, rotateAdminToken, markAdminTokenShown };
