/**
 * The start-up baseline: node, the nats client and an HTTP listener, nothing else — what any Node service pays
 * before doing its own work. env: NATS_URL, HTTP_PORT.
 */
import http from 'node:http';
import { connect } from 'nats';

void connect({ servers: process.env.NATS_URL }).then(() =>
  http.createServer((_req, res) => res.end('ok')).listen(Number(process.env.HTTP_PORT), '127.0.0.1'),
);
