/** Manual allowlist changes (the discovery fallback when pairing is not possible). */
import type { Space } from '@twokey/contracts';
import type { Decision } from './api';
import { accept, DONE, reject } from './decision';
import type { AccessState } from './state';

export function addUser(state: AccessState, cmd: { user: { id: string; displayName?: string; username?: string } }): Decision {
  const { id, displayName, username } = cmd.user;
  if (state.users.has(id)) return reject('conflict', `user ${id} is already on the allowlist`, 'user.id');
  const user = { id, displayName: displayName ?? id, ...(username !== undefined ? { username } : {}) };
  return accept([{ type: 'UserApproved', data: { user, how: 'manual' } }], DONE);
}

export function removeUser(state: AccessState, cmd: { userId: string }): Decision {
  if (!state.users.has(cmd.userId)) return reject('not-found', `user ${cmd.userId} is not on the allowlist`, 'userId');
  return accept([{ type: 'UserRemoved', data: { userId: cmd.userId } }], DONE);
}

export function addSpace(state: AccessState, cmd: { space: Space }): Decision {
  if (state.spaces.has(cmd.space.id)) return reject('conflict', `space ${cmd.space.id} is already on the allowlist`, 'space.id');
  return accept([{ type: 'SpaceApproved', data: { space: cmd.space, how: 'manual' } }], DONE);
}

export function removeSpace(state: AccessState, cmd: { spaceId: string }): Decision {
  if (!state.spaces.has(cmd.spaceId)) return reject('not-found', `space ${cmd.spaceId} is not on the allowlist`, 'spaceId');
  return accept([{ type: 'SpaceRemoved', data: { spaceId: cmd.spaceId } }], DONE);
}
