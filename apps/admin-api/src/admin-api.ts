import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import express, { NextFunction, Request, Response } from 'express';
import type { NatsConnection } from 'nats';
import { subjects as subjectsOf } from '@twokey/contracts';
import { EventStore, JetStreamEventStore } from '@twokey/event-store';
import { connectNats, ensureStreams, openSessionRevocations, registerJetStreamMetrics, RpcProof } from '@twokey/messaging';
import { hideProbePaths, JsonLogger, ProbeServer, startProbeServer } from '@twokey/service-kit';
import { AgentStatusProbe } from './agent/agent-status-probe';
import { AdminApiModule, AdminApiRuntime } from './app.module';
import { AdminTokens } from './auth/admin-tokens';
import { authMiddleware } from './auth/auth.middleware';
import { CredentialLimiter } from './auth/credential-limiter';
import { FailureLimiter } from './auth/failure-limiter';
import { KvRevocations } from './auth/revocation-list';
import { Sessions } from './auth/sessions';
import { PairingCommands } from './commands/pairing-commands';
import type { AdminApiConfig } from './config';
import { ConnectionRegistry } from './connections/connection-registry';
import { ConnectionTester } from './connections/connection-tester';
import { GatewayStatusProbe } from './connections/gateway-status';
import { SpaceTitles } from './connections/space-titles';
import { sharedConnectionTests, type ConnectionTests } from './connections/shared-connection-tests';
import { LiveStreams } from './events/live-streams';
import { DecisionTally } from './health/decisions';
import { healthAnswer, readinessAnswer } from './health/health.controller';
import { AdminMetrics } from './health/metrics';
import { NatsStatus } from './health/nats-status';
import { serveOpenApi } from './http/openapi';
import { Problem, sendProblem } from './http/problem';
import { Projection } from './projection/projection';
import { ReadModelSnapshots, type SnapshotCounters } from './projection/read-model-snapshots';

export interface AdminApiOptions {
  log?: JsonLogger;
  /** Called when the projection cannot continue (undecodable event). main.ts exits; tests observe it. */
  onFatal?: (error: Error) => void;
}

export interface AdminApi {
  /** http://host:port of the listening server (the real port when HTTP_PORT=0). */
  url: string;
  port: number;
  /** The port of /healthz, /readyz and /metrics when PROBE_PORT is set. */
  probePort?: number;
  app: INestApplication;
  projection: Projection;
  close(): Promise<void>;
}

const BODY_LIMIT = '64kb';

function sessionSecret(config: AdminApiConfig, log: JsonLogger): string {
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  log.warn('SESSION_SECRET is not set: using a random one, so console sessions end at restart and do not span replicas');
  return randomBytes(32).toString('base64url');
}

/** JSON bodies only; a malformed or oversized body is a problem+json answer, not an HTML error page. */
function jsonBody() {
  const parse = express.json({ limit: BODY_LIMIT, strict: true });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (err?: { type?: string; message?: string }) => {
      if (!err) return next();
      const problem =
        err.type === 'entity.too.large'
          ? new Problem('payload-too-large', `the body must be at most ${BODY_LIMIT}`)
          : Problem.validation('body', err.type === 'entity.parse.failed' ? 'is not valid JSON' : (err.message ?? 'cannot be read'));
      sendProblem(req, res, problem);
    });
}

/** The metrics' totals (events applied by type, decisions) carried in the read-model snapshots. */
function metricCounters(projection: () => Projection, decisions: DecisionTally): SnapshotCounters {
  return {
    image: () => ({ applied: [...projection().eventsByType()], decisions: decisions.image() }),
    prepare(image, position) {
      const i = image as { applied: [string, number][]; decisions: ReturnType<DecisionTally['image']> };
      if (!Array.isArray(i?.applied) || !Array.isArray(i.decisions)) throw new TypeError('no metric counters in the snapshot');
      const applied = i.applied.map(([type, n]) => [String(type), Number(n)] as [string, number]);
      const tally = i.decisions.map(([connection, types]) => [String(connection), [...types]] as (typeof i.decisions)[number]);
      return () => {
        projection().restoreEventsByType(applied);
        decisions.restore(tally, position);
      };
    },
  };
}

/**
 * Builds and starts the admin-api: NATS, event store, projection (catching up in the background; /readyz says
 * when), the Nest app with auth before routing, and the HTTP listener. Used by main.ts and by the tests.
 */
export async function createAdminApi(config: AdminApiConfig, options: AdminApiOptions = {}): Promise<AdminApi> {
  const log = options.log ?? new JsonLogger('admin-api');
  const subjects = subjectsOf(config.TWOKEY_SUBJECT_PREFIX);
  const nc: NatsConnection = await connectNats({ url: config.NATS_URL, user: config.NATS_USER, password: config.NATS_PASSWORD, name: 'admin-api' });
  let revocations: KvRevocations | undefined;
  let connectionTests: ConnectionTests | undefined;
  try {
    if (config.ENSURE_STREAMS) await ensureStreams(await nc.jetstreamManager(), subjects);
    const store: EventStore = new JetStreamEventStore({ nc, subjects });
    const decisions = new DecisionTally();
    const readModelOptions = { maxAttentionGroups: config.ATTENTION_MAX_GROUPS };
    const snapshots: ReadModelSnapshots | undefined = config.SNAPSHOTS
      ? await ReadModelSnapshots.open(nc, subjects, readModelOptions, {
          create: config.ENSURE_STREAMS,
          everyEvents: config.SNAPSHOT_EVERY_EVENTS,
          everyMs: config.SNAPSHOT_EVERY_SECONDS * 1000,
          log,
          counters: metricCounters((): Projection => projection, decisions),
        })
      : undefined;
    const projection: Projection = new Projection(store, log, readModelOptions, {
      onFatal: options.onFatal,
      onApplied: (event) => decisions.observe(event),
      snapshots,
    });
    const metrics = new AdminMetrics(projection, decisions);
    const tokens = new AdminTokens(config.ADMIN_TOKEN_HASHES);
    revocations = new KvRevocations(await openSessionRevocations(nc.jetstream(), subjects, { create: config.ENSURE_STREAMS }), log);
    await revocations.start();
    let jsm: ReturnType<NatsConnection['jetstreamManager']> | undefined;
    registerJetStreamMetrics(metrics.registry, () => (jsm ??= nc.jetstreamManager()), { streams: [subjects.streams.events] });
    connectionTests = await sharedConnectionTests(nc, subjects, config, log);
    const registry = new ConnectionRegistry(config.CONNECTIONS, projection, new GatewayStatusProbe(nc, subjects, log), connectionTests);
    const rt: AdminApiRuntime = {
      config,
      log,
      nc,
      store,
      projection,
      metrics,
      natsStatus: new NatsStatus(nc),
      tokens,
      sessions: new Sessions(sessionSecret(config, log), config.SESSION_TTL_SECONDS, tokens, revocations),
      limiter: new CredentialLimiter(new FailureLimiter(config.AUTH_FAILURES_PER_MINUTE), metrics),
      registry,
      tester: new ConnectionTester(nc, subjects, config.CONNECTION_TEST_TIMEOUT_MS),
      commands: new PairingCommands(nc, subjects, projection, metrics, log, {
        rpcTimeoutMs: config.RPC_TIMEOUT_MS,
        proof: new RpcProof(config.RPC_AUTH_SECRET),
        readYourWritesTimeoutMs: config.READ_YOUR_WRITES_TIMEOUT_MS,
      }),
      live: new LiveStreams(projection, metrics),
      agent: new AgentStatusProbe(nc, subjects, log),
      titles: new SpaceTitles(nc, subjects, log),
    };
    projection.start();

    const server = express();
    server.set('trust proxy', config.TRUST_PROXY);
    server.disable('x-powered-by');
    const app = await NestFactory.create(AdminApiModule.register(rt), new ExpressAdapter(server), { logger: log, bodyParser: false });
    if (config.PROBE_PORT !== undefined) app.use(hideProbePaths());
    app.use(metrics.middleware());
    app.use(cookieParser());
    app.use(authMiddleware({ tokens: rt.tokens, sessions: rt.sessions, limiter: rt.limiter }));
    app.use(jsonBody());
    serveOpenApi(app);
    await app.listen(config.HTTP_PORT, config.HTTP_HOST);
    const address = (app.getHttpServer() as Server).address() as AddressInfo;
    const host = config.HTTP_HOST === '0.0.0.0' || config.HTTP_HOST === '::' ? '127.0.0.1' : config.HTTP_HOST;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    let probes: ProbeServer | undefined;
    if (config.PROBE_PORT !== undefined) {
      probes = await startProbeServer(config.PROBE_PORT, config.HTTP_HOST, {
        healthz: () => healthAnswer(projection),
        readyz: () => readinessAnswer(rt.natsStatus, projection),
        registry: metrics.registry,
      }).catch(async (e: unknown) => {
        await app.close();
        throw e;
      });
    }
    log.info('admin-api listening', { url, probePort: probes?.port, connections: config.CONNECTIONS.map((c) => c.id), prefix: subjects.prefix });

    let closed = false;
    return {
      url,
      port: address.port,
      ...(probes ? { probePort: probes.port } : {}),
      app,
      projection,
      async close() {
        if (closed) return;
        closed = true;
        rt.live.closeAll();
        await probes?.close();
        await app.close();
        revocations?.stop();
        connectionTests?.stop?.();
        await projection.close();
        await nc.drain().catch(() => nc.close());
      },
    };
  } catch (e) {
    revocations?.stop();
    connectionTests?.stop?.();
    await nc.close();
    throw e;
  }
}
