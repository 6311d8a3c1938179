'use strict';
// Waits for a service's GET /readyz to answer 200.
const http = require('node:http');

function get(url, timeoutMs) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        if (body.length < 4096) body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
  });
}

/**
 * Resolves when `url` answers 200; rejects after `timeoutMs`, or as soon as `gone()` returns a reason (the process
 * exited), with the last answer in the message.
 */
async function waitReady(url, { timeoutMs = 60_000, gone = () => undefined } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = { status: 0, body: 'no answer yet' };
  for (;;) {
    const reason = gone();
    if (reason) throw new Error(reason);
    last = await get(url, 2_000);
    if (last.status === 200) return;
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs / 1000} s (${url}: ${last.status || ''} ${last.body.slice(0, 300)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

module.exports = { waitReady };
