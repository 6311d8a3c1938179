import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NatsConnection, Subscription } from 'nats';
import { AgentStatus, subjects } from '@twokey/contracts';
import { Binding, BindingsFile } from '@twokey/agent-rules';
import { connectNats, ensureStreams, registerJetStreamMetrics } from '@twokey/messaging';
import { ConfigError, JsonLogger } from '@twokey/service-kit';
import { AcpBackend } from './agent/acp-backend';
import type { AgentBackend } from './agent/agent-backend';
import { agentEnvironment } from './agent/agent-env';
import { WebhookBackend } from './agent/webhook-backend';
import { AgentBridgeModule } from './app.module';
import { Bridge } from './bridge/bridge';
import { BridgeStatus } from './bridge/bridge-status';
import { GatewayProfiles } from './bridge/gateway-profiles';
import { Replier } from './bridge/replier';
import { agentBucketName, SessionStore } from './bridge/session-store';
import { TurnRunner } from './bridge/turn-runner';
import { SERVICE_NAME, type AgentBridgeConfig } from './config';
import { BridgeMetrics } from './metrics';
import { AdmittedConsumer } from './nats/admitted-consumer';
import { DeliveryReports, deliveredConsumerName } from './nats/delivery-reports';
import { AGENT_ACK_WAIT_MS, ensureBridgeResources } from './nats/provisioning';
import { serveAgentStatus } from './nats/status-rpc';

export interface AgentBridgeOptions {
  logger?: JsonLogger;
  collectDefaultMetrics?: boolean;
  /** The environment the agent's allowlist is taken from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

export interface AgentBridge {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly port: number;
  /** The running parts, for tests and benchmarks; undefined before start. */
  readonly parts?: { bridge?: Bridge; runner?: TurnRunner; backend?: AgentBackend; replier: Replier; nc: NatsConnection; metrics: BridgeMetrics };
}

function loadBindings(file: string | undefined): Binding[] {
  if (!file) return [];
  try {
    return BindingsFile.parse(JSON.parse(readFileSync(file, 'utf8'))).bindings;
  } catch (e) {
    throw new ConfigError(SERVICE_NAME, [{ variable: 'AGENT_BINDINGS_FILE', reason: `cannot be used: ${(e as Error).message.slice(0, 300)}` }]);
  }
}

/** The whole service, in-process; `main.ts` adds only configuration from the environment and signal handling. */
export function createAgentBridge(config: AgentBridgeConfig, options: AgentBridgeOptions = {}): AgentBridge {
  const logger = options.logger ?? new JsonLogger(SERVICE_NAME, config.logLevel);
  const metrics = new BridgeMetrics(options.collectDefaultMetrics ?? false);
  const s = subjects(config.prefix);
  const status = new BridgeStatus();
  let app: INestApplication | undefined;
  let nc: NatsConnection | undefined;
  let natsUp = false;
  let consumer: AdmittedConsumer | undefined;
  let reports: DeliveryReports | undefined;
  let statusSub: Subscription | undefined;
  let parts: AgentBridge['parts'];

  const snapshot = (): AgentStatus => {
    const backend = parts?.backend;
    const info = backend?.info() ?? null;
    const lanes = parts?.bridge?.snapshot() ?? { sessions: 0, runningTurns: 0, queueDepth: 0 };
    return {
      mode: config.target.mode,
      agent: info && { name: info.name, title: info.title ?? null, version: info.version ?? null },
      auth: status.auth,
      loadSession: info?.loadSession ?? false,
      processes: { running: backend?.runningProcesses() ?? 0, max: config.maxProcesses },
      ...lanes,
      sessionScope: config.sessionScope,
      pendingPermissions: status.pendingPermissions,
      staleSkipped: status.staleSkipped,
      deliveryFailures: status.deliveryFailures,
      lastDeliveryFailure: status.lastDeliveryFailure,
      lastError: status.lastError,
      since: status.since,
    };
  };

  const health = {
    ready: () => {
      const checks = { nats: natsUp, consumer: config.target.mode === 'none' || consumer?.running === true };
      return { ready: checks.nats && checks.consumer, checks };
    },
  };

  return {
    async start() {
      if (app) throw new Error('agent-bridge already started');
      const bindings = loadBindings(config.bindingsFile);
      nc = await connectNats({ ...config.nats, name: SERVICE_NAME });
      natsUp = true;
      void (async () => {
        for await (const st of nc.status()) {
          if (st.type === 'disconnect') natsUp = false;
          else if (st.type === 'reconnect') natsUp = true;
        }
        natsUp = false;
      })();
      try {
        const jsm = await nc.jetstreamManager();
        // The backlog of its own consumers: admitted messages and delivery reports waiting for the bridge.
        registerJetStreamMetrics(metrics.registry, () => jsm, {
          consumers: [
            { stream: s.streams.admitted, consumer: config.consumerName },
            { stream: s.streams.delivered, consumer: deliveredConsumerName(config.consumerName) },
          ],
        });
        if (config.ensureStreams) {
          await ensureStreams(jsm, s);
          await ensureBridgeResources(jsm, s, config.consumerName);
        }
        const js = nc.jetstream();
        const replier = new Replier(js, s);
        const profiles = new GatewayProfiles(nc, s);
        parts = { replier, nc, metrics };
        if (config.target.mode !== 'none') {
          const kv = await js.views.kv(agentBucketName(config.prefix), { bindOnly: true });
          const store = new SessionStore(kv);
          const backend: AgentBackend =
            config.target.mode === 'acp'
              ? new AcpBackend({
                  env: agentEnvironment(config.agentEnv, options.env ?? process.env),
                  workdir: config.workdir,
                  maxProcesses: config.maxProcesses,
                  logger,
                  onCrash: (why) => {
                    metrics.crashes.inc();
                    status.error('crashed', `the agent ${why}`);
                  },
                })
              : new WebhookBackend({ ...config.target, logger });
          const runner = new TurnRunner({
            backend,
            replier,
            profiles,
            store,
            status,
            metrics,
            logger,
            toolUpdates: config.toolUpdates,
            editIntervalMs: config.editIntervalMs,
            permissionTimeoutMs: config.permissionTimeoutMs,
          });
          const bridge = new Bridge({
            backend,
            replier,
            store,
            runner,
            status,
            metrics,
            logger,
            scope: config.sessionScope,
            workdir: config.workdir,
            defaultCommand: config.target.mode === 'acp' ? config.target.command : [],
            bindings,
            approvers: config.approvers,
            maxAgeMs: config.maxAgeMs,
            sessionIdleMs: config.sessionIdleMs,
            keepAliveMs: AGENT_ACK_WAIT_MS / 3,
          });
          parts = { ...parts, bridge, runner, backend };
          await bridge.recoverInterrupted();
          consumer = new AdmittedConsumer(nc, s, config.consumerName, bridge, metrics, logger);
          consumer.start();
          reports = new DeliveryReports(nc, s, deliveredConsumerName(config.consumerName), replier, profiles, status, metrics, logger);
          reports.start();
        } else {
          logger.info('no agent configured: set AGENT_COMMAND (e.g. codex-acp) or AGENT_WEBHOOK_URL; admitted messages wait in their stream');
        }
        statusSub = serveAgentStatus(nc, s, snapshot, logger);
        const created = await NestFactory.create(AgentBridgeModule.forRoot(health, metrics), { logger, abortOnError: false, bodyParser: false });
        app = created;
        await created.listen(config.http.port, config.http.host);
      } catch (e) {
        await this.stop().catch(() => undefined);
        throw e;
      }
    },
    async stop() {
      statusSub?.unsubscribe();
      await consumer?.stop();
      await reports?.stop();
      await parts?.bridge?.stop();
      await parts?.backend?.stop();
      const running = app;
      app = undefined;
      await running?.close();
      if (nc && !nc.isClosed()) await nc.drain().catch(() => nc?.close());
    },
    get port() {
      const address = app?.getHttpServer().address() as AddressInfo | null | undefined;
      return address?.port ?? 0;
    },
    get parts() {
      return parts;
    },
  };
}
