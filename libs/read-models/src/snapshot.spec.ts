import { initialReadModels } from './model';
import { projectAll } from './project';
import { diffSnapshots, readModelSnapshot } from './snapshot';
import { EventFixtures, actor } from './testing';

describe('read-model snapshots', () => {
  const build = (names: string[]) => {
    const f = new EventFixtures('slack');
    return readModelSnapshot(projectAll(initialReadModels(), names.map((n) => f.stored({ type: 'UserApproved', data: { user: actor(n), how: 'manual' } }))));
  };

  it('finds no difference between equal states, whatever the property order', () => {
    const a = build(['U1', 'U2']);
    const b = JSON.parse(JSON.stringify(a));
    b.connections.slack.users[0] = Object.fromEntries(Object.entries(b.connections.slack.users[0]).reverse());
    expect(diffSnapshots(a, b)).toEqual([]);
  });

  it('names missing, unexpected and changed records', () => {
    const a = build(['U1', 'U2']);
    const b = build(['U2', 'U3']);
    b.connections.slack.users = b.connections.slack.users.map((u) => (u.id === 'U2' ? { ...u, approvedBy: 'mallory' } : u));
    const diffs = diffSnapshots(a, b);
    expect(diffs.map((d) => [d.model, d.id, d.kind])).toEqual([
      ['users', 'U1', 'missing'],
      ['users', 'U2', 'changed'],
      ['users', 'U3', 'unexpected'],
    ]);
  });

  it('treats a connection absent on one side as empty', () => {
    const a = build([]);
    expect(diffSnapshots({ position: 0, connections: { telegram: { users: [], spaces: [], tokens: [], observations: [], attention: [] } } }, a)).toEqual([]);
  });
});
