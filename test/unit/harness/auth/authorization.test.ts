import { ServerState } from '../../../harness/engine/server_state.js';
import { ConnectionState } from '../../../harness/connection_state.js';
import { resolveServerOptions } from '../../../harness/server_options.js';
import {
  mayBypassWriteBlocking,
  mayListAllDatabases,
  mayListCollection,
  mayListDatabase,
  refreshConnectionUsers,
} from '../../../harness/auth/authorization.js';
import { parseSeedRole, seedUsers, USERS_COLLECTION, USERS_DB } from '../../../harness/auth/user_store.js';

function stateWith(users: { user: string; roles: string[] }[]): ServerState {
  const state = new ServerState(resolveServerOptions({ users: users.map((u) => ({ ...u, password: 'p' })) }));
  seedUsers(state, state.options.users);
  return state;
}

function connectionOf(...roles: string[]): ConnectionState {
  const conn = new ConnectionState(1, 'test');
  conn.users.push({ user: 'u', db: 'admin', roles: roles.map(parseSeedRole) });
  return conn;
}

describe('mayBypassWriteBlocking', () => {
  const state = stateWith([{ user: 'root', roles: ['root'] }]);

  it.each([
    [['root'], true],
    [['restore'], true],
    [['__system'], true],
    [['backup'], false],
    [['readWriteAnyDatabase'], false],
    [['clusterAdmin'], false],
    [['readWrite@shop'], false],
    [[], false],
  ] as [string[], boolean][])('is %s for roles %j', (roles, expected) => {
    expect(mayBypassWriteBlocking(state, connectionOf(...roles))).toBe(expected);
  });

  it('is always true without auth, as mongod without --auth', () => {
    expect(mayBypassWriteBlocking(stateWith([]), new ConnectionState(1, 'test'))).toBe(true);
  });
});

describe('mayListDatabase and mayListCollection', () => {
  const state = stateWith([{ user: 'root', roles: ['root'] }]);

  it.each([
    [['readAnyDatabase'], 'shop', true],
    [['read@shop'], 'shop', true],
    [['read@shop'], 'other', false],
    [['clusterMonitor'], 'local', true],
    // A privilege on the collection name system.profile covers every database, as in mongod.
    [['clusterMonitor'], 'shop', true],
    [['read@shop', 'readWrite@inventory'], 'inventory', true],
    [[], 'shop', false],
  ] as [string[], string, boolean][])('roles %j may list database %s: %s', (roles, db, expected) => {
    expect(mayListDatabase(state, connectionOf(...roles), db)).toBe(expected);
  });

  it.each([
    [['read@shop'], 'shop', 'orders', true],
    [['read@other'], 'shop', 'orders', false],
    [['readAnyDatabase'], 'shop', 'orders', true],
    // A database privilege does not cover its system collections.
    [['read@shop'], 'shop', 'system.views', false],
    [['read@shop'], 'shop', 'system.js', true],
    [['root'], 'shop', 'system.views', true],
  ] as [string[], string, string, boolean][])('roles %j may list %s.%s: %s', (roles, db, coll, expected) => {
    expect(mayListCollection(state, connectionOf(...roles), db, coll)).toBe(expected);
  });
});

describe('mayListAllDatabases', () => {
  const state = stateWith([{ user: 'root', roles: ['root'] }]);

  it.each([
    [['root'], true],
    [['clusterMonitor'], true],
    [['readAnyDatabase'], true],
    [['read@shop'], false],
    [['dbOwner@shop'], false],
    [[], false],
  ] as [string[], boolean][])('for roles %j is %s', (roles, expected) => {
    expect(mayListAllDatabases(state, connectionOf(...roles))).toBe(expected);
  });

  it('is always true without auth', () => {
    expect(mayListAllDatabases(stateWith([]), new ConnectionState(1, 'test'))).toBe(true);
  });
});

describe('refreshConnectionUsers', () => {
  it('takes role changes from admin.system.users and logs a dropped user out', () => {
    const state = stateWith([{ user: 'u', roles: ['read@shop'] }]);
    const conn = connectionOf('root');
    refreshConnectionUsers(state, conn);
    expect(conn.users).toEqual([{ user: 'u', db: 'admin', roles: [{ role: 'read', db: 'shop' }] }]);
    const coll = state.catalog.getCollection(USERS_DB, USERS_COLLECTION)!;
    coll.remove(coll.findById('admin.u')!);
    refreshConnectionUsers(state, conn);
    expect(conn.users).toEqual([]);
  });
});

describe('seedUsers', () => {
  it('refuses an unknown role and an admin-only role granted elsewhere, naming them', () => {
    expect(() => stateWith([{ user: 'x', roles: ['nope'] }])).toThrow("user 'x': unknown role 'nope@admin'");
    expect(() => stateWith([{ user: 'x', roles: ['root@shop'] }])).toThrow('root exists only in the admin database');
  });

  it('writes no oplog entry: seeded users existed before the server started', () => {
    const state = stateWith([{ user: 'x', roles: ['root'] }]);
    expect(state.oplog.collection.count).toBe(0);
    expect(state.catalog.getCollection(USERS_DB, USERS_COLLECTION)?.count).toBe(1);
  });
});
