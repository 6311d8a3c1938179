/** One entry of APPROVERS: `<connection>:<userId>`, or a bare `<userId>` for that id on every connection. */
export interface Approver {
  connection?: string;
  userId: string;
}

export function parseApprovers(value: string): Approver[] {
  return value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => {
      const colon = e.indexOf(':');
      return colon > 0 ? { connection: e.slice(0, colon), userId: e.slice(colon + 1) } : { userId: e };
    });
}

/** Only the actor who started the turn, or a listed approver, may answer its permission prompt or cancel it. */
export function mayDecide(who: { connection: string; actorId: string }, turnActorId: string, approvers: readonly Approver[]): boolean {
  if (who.actorId === turnActorId) return true;
  return approvers.some((a) => a.userId === who.actorId && (a.connection === undefined || a.connection === who.connection));
}
