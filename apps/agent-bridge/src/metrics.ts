import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerServiceMetrics } from '@twokey/service-kit';

/** One registry per bridge instance (not prom-client's global one), so several can share a test process. */
export class BridgeMetrics {
  readonly registry = new Registry();
  readonly turns: Counter<'outcome'>;
  readonly stale: Counter;
  readonly ignored: Counter<'reason'>;
  readonly interrupted: Counter;
  readonly deliveryFailures: Counter<'failure'>;
  readonly dlq: Counter;
  readonly crashes: Counter;
  readonly sessions: Gauge;
  readonly runningTurns: Gauge;
  readonly queueDepth: Gauge;
  readonly promptOverhead: Histogram;

  constructor(collectDefaults = false) {
    const registers = [this.registry];
    this.turns = new Counter({ name: 'twokey_agent_turns_total', help: 'Agent turns finished, by outcome (ok, cancelled, auth-required, crashed, failed)', labelNames: ['outcome'], registers });
    this.stale = new Counter({ name: 'twokey_agent_stale_messages_total', help: 'Admitted messages not run because they were older than AGENT_MAX_AGE when first seen', registers });
    this.ignored = new Counter({ name: 'twokey_agent_ignored_messages_total', help: 'Admitted messages the bridge did not act on, by reason (not-addressed, not-allowed, empty)', labelNames: ['reason'], registers });
    this.interrupted = new Counter({ name: 'twokey_agent_interrupted_turns_total', help: 'Turns found started but unfinished after a restart or redelivery (the user was told, never run again)', registers });
    this.deliveryFailures = new Counter({ name: 'twokey_agent_delivery_failures_total', help: 'Replies a gateway reported as not delivered, by failure', labelNames: ['failure'], registers });
    this.dlq = new Counter({ name: 'twokey_agent_dlq_total', help: 'Admitted messages dead-lettered (unreadable, or max_deliver reached)', registers });
    this.crashes = new Counter({ name: 'twokey_agent_process_crashes_total', help: 'Agent processes that ended unexpectedly', registers });
    this.sessions = new Gauge({ name: 'twokey_agent_sessions', help: 'Open agent sessions', registers });
    this.runningTurns = new Gauge({ name: 'twokey_agent_running_turns', help: 'Turns running now', registers });
    this.queueDepth = new Gauge({ name: 'twokey_agent_queue_depth', help: 'Messages waiting for the turn of their session', registers });
    this.promptOverhead = new Histogram({
      name: 'twokey_agent_prompt_overhead_seconds',
      help: 'From an admitted message received by the bridge to its prompt handed to the agent',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    });
    // The convention of every service: default process metrics (when it owns its process) and twokey_build_info.
    registerServiceMetrics(this.registry, 'agent-bridge', { defaults: collectDefaults });
  }
}
