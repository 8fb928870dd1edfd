import {
  expandRoles,
  isAuthorizedFor,
  isNormalCollection,
  privilegesOfRoles,
  RESOURCES,
  type RoleName,
  type TargetResource,
} from '../../../harness/auth/privileges.js';
import { BUILTIN_ROLES, builtinRoleNames, isBuiltinRole } from '../../../harness/auth/builtin_roles.js';

const admin = (role: string): RoleName => ({ role, db: 'admin' });
const { cluster, database, namespace, anyNormal } = RESOURCES;

/**
 * Which built-in role may do what, from mongod 7.0's builtin_roles.yml and ResourcePatternSearchList
 * (src/mongo/db/auth/resource_pattern_search_list.h): `[roles, resource, actions, allowed]`.
 */
const CASES: [string, RoleName[], TargetResource, string[], boolean][] = [
  ['read finds in its database', [{ role: 'read', db: 'shop' }], namespace('shop', 'orders'), ['find'], true],
  ['read opens change streams on its database', [{ role: 'read', db: 'shop' }], database('shop'), ['changeStream', 'find'], true],
  ['read does not insert', [{ role: 'read', db: 'shop' }], namespace('shop', 'orders'), ['insert'], false],
  ['read does not reach another database', [{ role: 'read', db: 'shop' }], namespace('other', 'orders'), ['find'], false],
  ['read reads system.js of its database', [{ role: 'read', db: 'shop' }], namespace('shop', 'system.js'), ['find'], true],
  ['read does not read other system collections', [{ role: 'read', db: 'shop' }], namespace('shop', 'system.views'), ['find'], false],
  ['readWrite inserts, updates, removes', [{ role: 'readWrite', db: 'shop' }], namespace('shop', 'orders'), ['insert', 'update', 'remove'], true],
  ['readWrite creates and drops collections and indexes', [{ role: 'readWrite', db: 'shop' }], namespace('shop', 'c'), ['createCollection', 'dropCollection', 'createIndex', 'dropIndex'], true],
  ['readWrite does not drop its database', [{ role: 'readWrite', db: 'shop' }], database('shop'), ['dropDatabase'], false],
  ['dbAdmin drops its database', [{ role: 'dbAdmin', db: 'shop' }], database('shop'), ['dropDatabase'], true],
  ['dbAdmin does not read data', [{ role: 'dbAdmin', db: 'shop' }], namespace('shop', 'orders'), ['find'], false],
  ['dbOwner reads, writes and manages users of its database', [{ role: 'dbOwner', db: 'shop' }], database('shop'), ['find', 'insert', 'dropDatabase', 'createUser'], true],
  ['userAdmin creates users', [{ role: 'userAdmin', db: 'shop' }], database('shop'), ['createUser', 'grantRole'], true],
  ['readAnyDatabase lists databases', [admin('readAnyDatabase')], cluster(), ['listDatabases'], true],
  ['readAnyDatabase reads any normal collection', [admin('readAnyDatabase')], namespace('x', 'y'), ['find'], true],
  ['readAnyDatabase watches the whole cluster', [admin('readAnyDatabase')], anyNormal(), ['changeStream', 'find'], true],
  ['readAnyDatabase does not read local', [admin('readAnyDatabase')], namespace('local', 'oplog.rs'), ['find'], false],
  ['readAnyDatabase does not read config', [admin('readAnyDatabase')], namespace('config', 'transactions'), ['find'], false],
  ['readAnyDatabase does not read system.users', [admin('readAnyDatabase')], namespace('admin', 'system.users'), ['find'], false],
  ['readWriteAnyDatabase writes anywhere normal', [admin('readWriteAnyDatabase')], namespace('x', 'y'), ['insert', 'remove'], true],
  ['readWriteAnyDatabase lists databases (through readAnyDatabase)', [admin('readWriteAnyDatabase')], cluster(), ['listDatabases'], true],
  ['readWriteAnyDatabase cannot bypass write blocking', [admin('readWriteAnyDatabase')], cluster(), ['bypassWriteBlockingMode'], false],
  ['dbAdminAnyDatabase drops any database', [admin('dbAdminAnyDatabase')], database('x'), ['dropDatabase'], true],
  ['userAdminAnyDatabase views users cluster-wide', [admin('userAdminAnyDatabase')], cluster(), ['viewUser'], true],
  ['userAdminAnyDatabase reads admin.system.users', [admin('userAdminAnyDatabase')], namespace('admin', 'system.users'), ['find'], true],
  ['clusterMonitor reads server status', [admin('clusterMonitor')], cluster(), ['serverStatus', 'replSetGetStatus', 'getParameter'], true],
  ['clusterMonitor reads local through read@local', [admin('clusterMonitor')], namespace('local', 'oplog.rs'), ['find'], true],
  ['clusterMonitor does not read user data', [admin('clusterMonitor')], namespace('shop', 'orders'), ['find'], false],
  ['clusterMonitor does not set parameters', [admin('clusterMonitor')], cluster(), ['setParameter'], false],
  ['hostManager sets parameters and kills ops', [admin('hostManager')], cluster(), ['setParameter', 'killop', 'fsync'], true],
  ['clusterManager appends oplog notes', [admin('clusterManager')], cluster(), ['appendOplogNote', 'setFeatureCompatibilityVersion'], true],
  ['clusterAdmin has monitor, host and cluster manager actions', [admin('clusterAdmin')], cluster(), ['serverStatus', 'setParameter', 'replSetConfigure'], true],
  ['clusterAdmin drops any normal database', [admin('clusterAdmin')], database('x'), ['dropDatabase'], true],
  ['backup sets the user write block mode (for C2C)', [admin('backup')], cluster(), ['setUserWriteBlockMode'], true],
  ['backup cannot bypass write blocking', [admin('backup')], cluster(), ['bypassWriteBlockingMode'], false],
  ['backup reads any normal collection', [admin('backup')], namespace('x', 'y'), ['find'], true],
  ['backup reads admin.system.users', [admin('backup')], namespace('admin', 'system.users'), ['find'], true],
  ['restore bypasses write blocking', [admin('restore')], cluster(), ['bypassWriteBlockingMode', 'setUserWriteBlockMode'], true],
  ['restore inserts into any normal collection', [admin('restore')], namespace('x', 'y'), ['insert', 'createIndex'], true],
  ['restore does not read user data', [admin('restore')], namespace('x', 'y'), ['find'], false],
  ['root bypasses write blocking (through restore)', [admin('root')], cluster(), ['bypassWriteBlockingMode'], true],
  ['root reads and writes anywhere normal', [admin('root')], namespace('x', 'y'), ['find', 'insert', 'update', 'remove'], true],
  ['root finds in admin.system.users', [admin('root')], namespace('admin', 'system.users'), ['find', 'insert'], true],
  ['root does not hold internal actions', [admin('root')], cluster(), ['internal'], false],
  ['__system holds every action on every resource', [admin('__system')], cluster(), ['internal', 'bypassWriteBlockingMode'], true],
  ['an admin-only role granted in another database grants nothing', [{ role: 'root', db: 'shop' }], namespace('shop', 'c'), ['find'], false],
  ['no roles, no privileges', [], namespace('shop', 'c'), ['find'], false],
];

describe('privilegesOfRoles + isAuthorizedFor', () => {
  it.each(CASES)('%s', (_name, roles, resource, actions, allowed) => {
    expect(isAuthorizedFor(privilegesOfRoles(roles), resource, actions)).toBe(allowed);
  });
});

describe('expandRoles', () => {
  it('includes the roles a role is built from, each once', () => {
    expect(expandRoles([admin('root')]).map((r) => `${r.role}@${r.db}`)).toEqual(expect.arrayContaining([
      'root@admin', 'clusterAdmin@admin', 'clusterMonitor@admin', 'read@config', 'read@local', 'hostManager@admin',
      'clusterManager@admin', 'userAdminAnyDatabase@admin', 'dbAdminAnyDatabase@admin', 'readWriteAnyDatabase@admin',
      'readAnyDatabase@admin', 'backup@admin', '__queryableBackup@admin', 'restore@admin',
    ]));
    const keys = expandRoles([admin('root'), admin('clusterAdmin')]).map((r) => `${r.role}@${r.db}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('binds a database role\'s included roles to the same database', () => {
    expect(expandRoles([{ role: 'dbOwner', db: 'shop' }])).toEqual([
      { role: 'dbOwner', db: 'shop' }, { role: 'readWrite', db: 'shop' }, { role: 'dbAdmin', db: 'shop' }, { role: 'userAdmin', db: 'shop' },
    ]);
  });
});

describe('built-in role table', () => {
  it.each([
    ['read', 'shop', true], ['root', 'admin', true], ['root', 'shop', false], ['clusterMonitor', 'shop', false], ['nope', 'admin', false],
  ] as [string, string, boolean][])('isBuiltinRole(%s, %s) is %s', (role, db, expected) => {
    expect(isBuiltinRole(role, db)).toBe(expected);
  });

  it('lists only database roles outside admin, and no internal roles', () => {
    expect(builtinRoleNames('shop').sort()).toEqual(['dbAdmin', 'dbOwner', 'enableSharding', 'read', 'readWrite', 'userAdmin']);
    expect(builtinRoleNames('admin')).toContain('root');
    expect(builtinRoleNames('admin')).not.toContain('__system');
  });

  it('includes only roles that exist', () => {
    for (const [name, spec] of Object.entries(BUILTIN_ROLES)) {
      for (const sub of spec.roles) {
        const included = typeof sub === 'string' ? { role: sub, db: 'admin' } : sub;
        expect([name, isBuiltinRole(included.role, included.db)]).toEqual([name, true]);
      }
    }
  });
});

describe('isNormalCollection', () => {
  it.each([
    ['shop', 'orders', true], ['shop', 'system.views', false], ['local', 'oplog.rs', true], ['local', 'replset.election', false], ['shop', 'replset.x', true],
  ] as [string, string, boolean][])('%s.%s is %s', (db, coll, expected) => {
    expect(isNormalCollection(db, coll)).toBe(expected);
  });
});
