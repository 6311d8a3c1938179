/**
 * Admin verbs (`<prefix>.rpc.pairing.<verb>`) → domain commands, and a successful decision → the reply's result.
 * One entry per verb; the mapped type makes a missing verb a compile error.
 */
import type { PairingRequest, PairingResult, PairingVerb } from '@twokey/contracts';
import type { Command, Decision } from '@twokey/pairing-domain';

type Accepted = Extract<Decision, { ok: true }>;

interface VerbMapping<V extends PairingVerb> {
  command(request: PairingRequest<V>, now: Date): Command;
  result(request: PairingRequest<V>, decision: Accepted): PairingResult<V>;
}

export const RPC_COMMANDS: { [V in PairingVerb]: VerbMapping<V> } = {
  'issue-token': {
    command: (r, now) => ({ type: 'IssuePairingToken', purpose: r.purpose, ttlSeconds: r.ttlSeconds, now }),
    result: (_r, d) => {
      if (d.outcome.kind !== 'token-issued') throw new Error(`IssuePairingToken ended with outcome ${d.outcome.kind}`);
      // The only place the plaintext code exists outside the decider: the reply to the admin who asked.
      return { tokenId: d.outcome.tokenId, code: d.outcome.code, expiresAt: d.outcome.expiresAt.toISOString() };
    },
  },
  'revoke-token': {
    command: (r, now) => ({ type: 'RevokeToken', tokenId: r.tokenId, now }),
    result: (r) => ({ tokenId: r.tokenId }),
  },
  'approve-observation': {
    command: (r, now) => ({ type: 'ApproveObservation', observationId: r.observationId, now }),
    result: (r, d) => {
      for (const e of d.events) {
        if (e.type === 'UserApproved') return { observationId: r.observationId, approved: 'user', subjectId: e.data.user.id };
        if (e.type === 'SpaceApproved') return { observationId: r.observationId, approved: 'space', subjectId: e.data.space.id };
      }
      throw new Error('ApproveObservation produced neither UserApproved nor SpaceApproved');
    },
  },
  'reject-observation': {
    command: (r, now) => ({ type: 'RejectObservation', observationId: r.observationId, now }),
    result: (r) => ({ observationId: r.observationId }),
  },
  'add-user': {
    command: (r, now) => ({ type: 'AddUser', user: r.user, now }),
    result: (r) => ({ userId: r.user.id }),
  },
  'remove-user': {
    command: (r, now) => ({ type: 'RemoveUser', userId: r.userId, now }),
    result: (r) => ({ userId: r.userId }),
  },
  'add-space': {
    command: (r, now) => ({ type: 'AddSpace', space: r.space, now }),
    result: (r) => ({ spaceId: r.space.id }),
  },
  'remove-space': {
    command: (r, now) => ({ type: 'RemoveSpace', spaceId: r.spaceId, now }),
    result: (r) => ({ spaceId: r.spaceId }),
  },
};
