'use strict';
// One `npm start` per TWOKEY_HOME: two nats-servers must never share a JetStream store.
const fs = require('node:fs');
const path = require('node:path');

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Takes <home>/npm-start.pid, or throws naming the running instance. Released when this process exits. */
function lockHome(home) {
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = path.join(home, 'npm-start.pid');
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    const pid = Number(fs.readFileSync(file, 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new Error(`another npm start (pid ${pid}) is running with TWOKEY_HOME ${home}; stop it first or set another TWOKEY_HOME`);
    }
    fs.writeFileSync(file, String(process.pid), { mode: 0o600 }); // left behind by a stack that was killed
  }
  process.on('exit', () => {
    try {
      if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
    } catch {
      // already gone
    }
  });
}

module.exports = { lockHome };
