import { given } from './testing/decider-spec';
import { events, space, T0 } from './testing/fixtures';

describe('manual allowlist commands', () => {
  it('AddUser approves manually; the display name defaults to the id', () => {
    given()
      .when({ type: 'AddUser', user: { id: 'U42' }, now: T0 })
      .thenEmits([{ type: 'UserApproved', data: { user: { id: 'U42', displayName: 'U42' }, how: 'manual' } }], { kind: 'done' });
  });

  it('AddUser keeps the given display name and username', () => {
    given()
      .when({ type: 'AddUser', user: { id: 'U42', displayName: 'Ada', username: 'ada' }, now: T0 })
      .thenEmits([{ type: 'UserApproved', data: { user: { id: 'U42', displayName: 'Ada', username: 'ada' }, how: 'manual' } }]);
  });

  it('AddUser of an allowlisted user → conflict', () => {
    given(events.userApproved('U42')).when({ type: 'AddUser', user: { id: 'U42' }, now: T0 }).thenFails('conflict');
  });

  it('RemoveUser removes; an absent user → not-found', () => {
    given(events.userApproved('U42')).when({ type: 'RemoveUser', userId: 'U42', now: T0 }).thenEmits([{ type: 'UserRemoved', data: { userId: 'U42' } }]);
    given().when({ type: 'RemoveUser', userId: 'U42', now: T0 }).thenFails('not-found', 'userId');
    given(events.userApproved('U42'), { type: 'UserRemoved', data: { userId: 'U42' } })
      .when({ type: 'RemoveUser', userId: 'U42', now: T0 })
      .thenFails('not-found');
  });

  it('AddSpace approves manually; twice → conflict', () => {
    given()
      .when({ type: 'AddSpace', space: space('G1', 'discord-server'), now: T0 })
      .thenEmits([{ type: 'SpaceApproved', data: { space: space('G1', 'discord-server'), how: 'manual' } }], { kind: 'done' });
    given(events.spaceApproved('G1')).when({ type: 'AddSpace', space: space('G1'), now: T0 }).thenFails('conflict');
  });

  it('RemoveSpace removes; an absent space → not-found', () => {
    given(events.spaceApproved('G1')).when({ type: 'RemoveSpace', spaceId: 'G1', now: T0 }).thenEmits([{ type: 'SpaceRemoved', data: { spaceId: 'G1' } }]);
    given().when({ type: 'RemoveSpace', spaceId: 'G1', now: T0 }).thenFails('not-found', 'spaceId');
  });

  it('a user can be added again after removal', () => {
    given(events.userApproved('U42'), { type: 'UserRemoved', data: { userId: 'U42' } })
      .when({ type: 'AddUser', user: { id: 'U42' }, now: T0 })
      .thenOutcome({ kind: 'done' });
  });
});
