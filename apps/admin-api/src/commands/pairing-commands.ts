import type { NatsConnection } from 'nats';
import {
  PairingReply,
  PairingRequest,
  PairingResult,
  PairingReplySchema,
  PairingVerb,
  RpcError,
  Subjects,
} from '@twokey/contracts';
import { type RpcProof, RpcRemoteError, RpcUnavailable, rpcRequest } from '@twokey/messaging';
import type { JsonLogger } from '@twokey/service-kit';
import { Problem } from '../http/problem';
import type { AdminMetrics } from '../health/metrics';
import type { Projection } from '../projection/projection';

/** What a handler gives: the verb's request without the fields this client fills in. */
export type CommandInput<V extends PairingVerb> = Omit<PairingRequest<V>, 'initiator' | 'correlationId'>;

export interface CommandOutcome<V extends PairingVerb> {
  result: PairingResult<V>;
  position: number;
  /** False when the bounded read-your-writes wait elapsed before the projection reached `position`. */
  visible: boolean;
}

export interface PairingCommandsOptions {
  rpcTimeoutMs: number;
  readYourWritesTimeoutMs: number;
  /** Proves each command's sender to the pairing-service (RPC_AUTH_SECRET). */
  proof: RpcProof;
}

/** Domain error codes of the pairing-service → HTTP problems (§6: invalid 400, not-found 404, conflict/expired 409). */
export function problemOfRpcError(e: RpcError): Problem {
  switch (e.code) {
    case 'invalid':
      return Problem.validation(e.field ?? '', e.message);
    case 'not-found':
      return Problem.notFound(e.message);
    case 'conflict':
      return new Problem('conflict', e.message);
    case 'expired':
      return new Problem('expired', e.message);
    case 'unavailable':
      return new Problem('unavailable', e.message);
    case 'internal':
      return new Problem('upstream', e.message);
  }
}

/**
 * Sends admin commands to the pairing-service (`<prefix>.rpc.pairing.<verb>`) as the calling admin, then waits
 * (bounded) until this instance's projection reflects the produced position, so the next read sees the write.
 */
export class PairingCommands {
  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly projection: Projection,
    private readonly metrics: AdminMetrics,
    private readonly log: JsonLogger,
    private readonly options: PairingCommandsOptions,
  ) {}

  async send<V extends PairingVerb>(verb: V, input: CommandInput<V>, adminId: string, correlationId: string): Promise<CommandOutcome<V>> {
    const end = this.metrics.commandDuration.startTimer({ verb });
    const request = { ...input, initiator: { type: 'admin' as const, id: adminId }, correlationId };
    let outcome = 'ok';
    try {
      let reply: PairingReply<V>;
      try {
        reply = (await rpcRequest(this.nc, this.subjects.rpcPairing(verb), request, PairingReplySchema(verb), this.options.rpcTimeoutMs, this.options.proof)) as PairingReply<V>;
      } catch (e) {
        outcome = e instanceof RpcUnavailable ? 'unavailable' : 'remote-error';
        if (e instanceof RpcUnavailable) throw new Problem('unavailable', 'the pairing-service did not answer; try again shortly');
        if (e instanceof RpcRemoteError && e.code === '400') throw Problem.validation('', e.message);
        this.log.error('pairing-service failed a command', { verb, correlationId, error: e });
        throw new Problem('upstream', 'the pairing-service could not process the command');
      }
      if (!reply.ok) {
        outcome = reply.error.code;
        throw problemOfRpcError(reply.error);
      }
      const visible = await this.projection.waitFor(reply.position, this.options.readYourWritesTimeoutMs);
      if (!visible) {
        this.metrics.readYourWritesTimeouts.inc();
        this.log.warn('read-your-writes wait elapsed', { verb, correlationId, position: reply.position, projected: this.projection.position() });
      }
      this.log.info('command done', { verb, correlationId, admin: adminId, connection: input.connection, position: reply.position });
      return { result: reply.result, position: reply.position, visible };
    } finally {
      this.metrics.commands.inc({ verb, outcome });
      end();
    }
  }
}
