/**
 * decide: the pure pairing Decider (§5). One case per command; the `never` check makes a forgotten command a
 * compile error. Commands carry the clock (`now`); randomness and the HMAC arrive through `deps`.
 */
import type { Command, Decision, DomainDeps } from './api';
import { addSpace, addUser, removeSpace, removeUser } from './decide-allowlist';
import { observeMessage } from './decide-message';
import { approveObservation, rejectObservation } from './decide-observations';
import { expireDue, issueToken, revokeToken } from './decide-tokens';
import { assertNever } from './decision';
import type { AccessState } from './state';

export function decide(command: Command, state: AccessState, deps: DomainDeps): Decision {
  switch (command.type) {
    case 'IssuePairingToken':
      return issueToken(state, command, deps);
    case 'RevokeToken':
      return revokeToken(state, command);
    case 'ObserveMessage':
      return observeMessage(state, command, deps);
    case 'ApproveObservation':
      return approveObservation(state, command);
    case 'RejectObservation':
      return rejectObservation(state, command);
    case 'AddUser':
      return addUser(state, command);
    case 'RemoveUser':
      return removeUser(state, command);
    case 'AddSpace':
      return addSpace(state, command);
    case 'RemoveSpace':
      return removeSpace(state, command);
    case 'ExpireDue':
      return expireDue(state, command);
    default:
      return assertNever(command);
  }
}
