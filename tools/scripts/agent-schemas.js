#!/usr/bin/env node
'use strict';
// Writes the JSON Schemas an agent author needs (docs/schemas/*.schema.json) from the zod contracts, so the
// documented wire format cannot drift from the one the services validate. `--check` exits 1 when one is stale
// (a test runs it). Needs the compiled libs (`npm run build`).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');

function schemas() {
  const { z } = require('zod');
  const c = require(path.join(root, 'dist/libs/contracts/src/index.js'));
  const one = (title, schema, io = 'output') => ({ title, ...z.toJSONSchema(schema, { io, unrepresentable: 'any' }) });
  return {
    'admitted-message': one('AdmittedMessage', c.AdmittedMessage),
    'send-message': one('SendMessage', c.SendMessage, 'input'),
    'outbound-command': one('OutboundCommand', z.union([c.SendMessageV2, c.EditMessage, c.ChatAction]), 'input'),
    'delivery-report': one('DeliveryReport', c.DeliveryReport),
    'agent-webhook-turn': one('AgentWebhookTurn', c.AgentWebhookTurn),
    'agent-webhook-chunk': one('AgentWebhookChunk', c.AgentWebhookChunk),
    'agent-status': one('AgentStatus', c.AgentStatus),
  };
}

function files() {
  return Object.fromEntries(
    Object.entries(schemas()).map(([name, s]) => [path.join('docs/schemas', `${name}.schema.json`), JSON.stringify({ $id: `${name}.schema.json`, ...s }, null, 2) + '\n']),
  );
}

function stale() {
  return Object.entries(files()).filter(([rel, content]) => (fs.existsSync(path.join(root, rel)) ? fs.readFileSync(path.join(root, rel), 'utf8') : '') !== content).map(([rel]) => rel);
}

if (require.main === module) {
  if (process.argv.includes('--check')) {
    const s = stale();
    if (s.length) {
      console.error(`stale JSON Schemas (run node tools/scripts/agent-schemas.js): ${s.join(', ')}`);
      process.exit(1);
    }
    console.log('JSON Schemas are up to date');
  } else {
    for (const [rel, content] of Object.entries(files())) fs.writeFileSync(path.join(root, rel), content);
    console.log(`wrote ${Object.keys(files()).length} schemas to docs/schemas/`);
  }
}

module.exports = { stale };
