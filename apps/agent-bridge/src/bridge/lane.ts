import type { AdmittedMessage } from '@twokey/contracts';
import type { PermissionChoice, SessionKey } from '@twokey/agent-rules';
import type { SessionPlacement } from '../agent/agent-backend';
import type { Delivery } from './delivery';

/** A prompt waiting for the running turn of its session to end (its delivery kept alive meanwhile). */
export interface Queued {
  m: AdmittedMessage;
  d: Delivery;
  token: string;
  receivedAt: number;
  keepAlive: NodeJS.Timeout;
}

/** A permission prompt waiting for the turn's user (or an approver). */
export interface PendingPermission {
  options: PermissionChoice[];
  actorId: string;
  decide(optionId: string | undefined): void;
}

export interface RunningTurn {
  actorId: string;
  tokens: string[];
  permission?: PendingPermission;
  /** Set by /cancel or /new: the turn ends as cancelled. */
  cancelled: boolean;
}

/** Everything the bridge knows about one session key: its agent session, its queue and its running turn. */
export class Lane {
  sessionId?: string;
  mode?: string;
  resumed = false;
  queue: Queued[] = [];
  running?: RunningTurn;
  /** The user was told that messages sent while the bridge was away were not run (once per backlog). */
  staleNotified = false;
  lastActiveAt = Date.now();

  constructor(
    readonly key: SessionKey,
    readonly placement: SessionPlacement,
  ) {}
}
