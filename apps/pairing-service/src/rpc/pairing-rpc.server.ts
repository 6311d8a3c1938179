import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { NatsError, type NatsConnection, type Subscription } from 'nats';
import {
  PAIRING_RPC_REQUESTS,
  PAIRING_VERBS,
  type PairingReply,
  type PairingRequest,
  type PairingVerb,
  type RpcError,
  type Subjects,
} from '@twokey/contracts';
import { WrongExpectedVersion, type EventStore } from '@twokey/event-store';
import { RpcProof, RpcUnauthenticated, serveRpc } from '@twokey/messaging';
import { JsonLogger } from '@twokey/service-kit';
import { PairingMetrics } from '../infra/metrics';
import { CommandExecutor } from '../state/command-executor';
import type { ObservationRecord } from '@twokey/pairing-domain';
import type { PairingServiceConfig } from '../config';
import { ApprovalReceipts } from './approval-receipts';
import { CLOCK, CONFIG, EVENT_STORE, NATS, SUBJECTS, type Clock } from '../tokens';
import { RPC_COMMANDS } from './rpc-commands';

/** Replicas share the admin verbs: each request is handled by one of them. */
export const RPC_QUEUE_GROUP = 'pairing-service';

/**
 * The admin commands over request/reply (the "controller" of the RPC transport). Every reply is a PairingReply:
 * `{ ok: true, position, result }` or `{ ok: false, error: { code, message, field? } }`. Replies are never logged:
 * the issue-token reply carries the plaintext code.
 */
@Injectable()
export class PairingRpcServer implements OnApplicationBootstrap, OnModuleDestroy {
  private subscriptions: Subscription[] = [];

  constructor(
    @Inject(NATS) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: PairingServiceConfig,
    private readonly executor: CommandExecutor,
    private readonly metrics: PairingMetrics,
    private readonly logger: JsonLogger,
    private readonly receipts: ApprovalReceipts,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // One subscription for every verb, so a verb nobody serves gets a clear `invalid` reply instead of the
    // transport's "no responders" (which looks like the service being down).
    const prefix = this.s.rpcPairing('verb').slice(0, -'verb'.length);
    const proof = new RpcProof(this.config.rpcAuthSecret);
    this.subscriptions = [
      serveRpc(
        this.nc,
        `${prefix}*`,
        RPC_QUEUE_GROUP,
        (body, { subject }) => this.route(subject.slice(prefix.length), body),
        (error, subject) => {
          if (!(error instanceof RpcUnauthenticated)) return this.logger.error('admin command failed', { subject, error });
          this.metrics.commands.inc({ verb: 'unknown', outcome: 'unauthenticated' });
          this.logger.warn('admin command refused: it does not prove its sender', { subject, reply: error.reply ?? '' });
        },
        proof,
      ),
    ];
    // Until the server has the subscriptions, a command sent right after start-up gets "no responders" (503).
    await this.nc.flush();
  }

  private route(verb: string, body: unknown): Promise<PairingReply<PairingVerb>> {
    if (!isPairingVerb(verb)) {
      this.metrics.commands.inc({ verb: 'unknown', outcome: 'invalid' });
      return Promise.resolve(fail({ code: 'invalid', field: 'verb', message: `unknown command "${verb}"; known: ${PAIRING_VERBS.join(', ')}` }));
    }
    return this.handle(verb, body);
  }

  onModuleDestroy(): void {
    for (const sub of this.subscriptions) sub.unsubscribe();
    this.subscriptions = [];
  }

  async handle<V extends PairingVerb>(verb: V, body: unknown): Promise<PairingReply<V>> {
    const reply = await this.decide(verb, body);
    this.metrics.commands.inc({ verb, outcome: reply.ok ? 'ok' : reply.error.code });
    return reply;
  }

  private async decide<V extends PairingVerb>(verb: V, body: unknown): Promise<PairingReply<V>> {
    const parsed = PAIRING_RPC_REQUESTS[verb].safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.map(String).join('.') ?? '';
      return fail({ code: 'invalid', field, message: `${field || '(body)'}: ${issue?.message ?? 'is invalid'}` });
    }
    const request = parsed.data as PairingRequest<V>;
    const mapping = RPC_COMMANDS[verb];
    try {
      // What was observed is gone from the state once approved: the receipt's conversation is read before.
      let observed: ObservationRecord | undefined;
      const execution = await this.executor.execute(request.connection, (entry) => {
        if (verb === 'approve-observation') observed = entry.state.observations.get((request as PairingRequest<'approve-observation'>).observationId);
        return mapping.command(request, this.clock());
      }, {
        correlationId: request.correlationId,
        causationId: request.correlationId,
        actor: request.initiator,
      });
      if (execution.kind !== 'decided') throw new Error('an admin command is never skipped');
      const { decision } = execution;
      if (!decision.ok) return fail(decision.error);
      const position = execution.position ?? (await this.store.headPosition());
      if (observed) await this.receipts.approved(request.connection, observed);
      return { ok: true, position, result: mapping.result(request, decision) };
    } catch (e) {
      if (e instanceof WrongExpectedVersion) {
        return fail({ code: 'conflict', message: 'the connection kept changing concurrently; try again' });
      }
      this.logger.error('admin command could not be completed', { verb, connection: request.connection, error: e });
      const unavailable = e instanceof NatsError;
      return fail({
        code: unavailable ? 'unavailable' : 'internal',
        message: unavailable ? 'the event store is unavailable; try again' : 'internal error',
      });
    }
  }
}

const isPairingVerb = (verb: string): verb is PairingVerb => (PAIRING_VERBS as readonly string[]).includes(verb);

const fail = (error: RpcError): { ok: false; error: RpcError } => ({ ok: false, error });
