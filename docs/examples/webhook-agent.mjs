#!/usr/bin/env node
// A complete Twokey webhook agent in plain Node (no dependencies): verifies each request's signature and answers
// with NDJSON chunks. Run: AGENT_WEBHOOK_SECRET=<32+ chars> PORT=8787 node docs/examples/webhook-agent.mjs
// and start the bridge with AGENT_WEBHOOK_URL=http://127.0.0.1:8787/turn and the same AGENT_WEBHOOK_SECRET.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.AGENT_WEBHOOK_SECRET;
if (!secret || secret.length < 32) throw new Error('set AGENT_WEBHOOK_SECRET (32+ characters)');
const seen = new Set(); // signatures already answered: a replayed request is refused

function verified(req, body) {
  const ts = Number(req.headers['x-twokey-request-timestamp']);
  const given = String(req.headers['x-twokey-signature'] ?? '');
  if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > 300) return false;
  const expected = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return false;
  if (seen.has(given)) return false;
  seen.add(given);
  return true;
}

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (req.method !== 'POST' || !verified(req, body)) {
      res.writeHead(401).end();
      return;
    }
    const turn = JSON.parse(body); // { schemaVersion, sessionId, cwd, text, message }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(JSON.stringify({ text: 'You said: ' }) + '\n');
    setTimeout(() => res.end(JSON.stringify({ text: turn.text }) + '\n'), 20);
  });
});
server.listen(Number(process.env.PORT ?? 8787), '127.0.0.1', () => console.log(`webhook agent on ${server.address().port}`));
