import { describe, expect, it } from '@jest/globals';
import { ERROR_CODES, PreflightError } from '../../../src/errors.js';
import type { UserWriteBlocking } from '../../../src/config/schema.js';
import type { DeploymentDescription } from '../../../src/topology/deployment.js';
import type { ConnectionPrivileges, GrantedPrivilege } from '../../../src/topology/privileges.js';
import { checkDeployments, checkPrivileges, requiredPrivileges, sameDeploymentEvidence, type PreflightOptions } from '../../../src/lifecycle/preflight.js';
import { privilegesOfRoles, privilegeToDocument } from '../../harness/auth/privileges.js';

/** A replica set member description; each call is a different deployment unless told otherwise. */
function replicaSet(overrides: Partial<DeploymentDescription> = {}): DeploymentDescription {
  return {
    kind: 'replicaSet',
    version: '7.0.14',
    versionArray: [7, 0, 14, 0],
    setName: 'rs0',
    hosts: ['a.example:27017'],
    me: 'a.example:27017',
    processId: '650000000000000000000001',
    clusterTime: undefined,
    ...overrides,
  };
}

const OTHER = { hosts: ['b.example:27017'], me: 'b.example:27017', processId: '650000000000000000000002' };

/** The code a call throws, or 'ok'. */
function outcome(check: () => void): string {
  try {
    check();
    return 'ok';
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error;
    return error.code;
  }
}

function version(v: string): Partial<DeploymentDescription> {
  return { version: v, versionArray: v.split('.').map(Number) };
}

describe('checkDeployments', () => {
  const table: [string, Partial<DeploymentDescription>, Partial<DeploymentDescription>, string][] = [
    ['two replica sets of 7.0', {}, OTHER, 'ok'],
    ['source 6.0.0 (lowest supported)', version('6.0.0'), OTHER, 'ok'],
    ['source 8.2.1 (highest major supported)', version('8.2.1'), OTHER, 'ok'],
    ['source 5.0.26', version('5.0.26'), OTHER, ERROR_CODES.PREFLIGHT_UNSUPPORTED_VERSION],
    ['source 4.4.29', version('4.4.29'), OTHER, ERROR_CODES.PREFLIGHT_UNSUPPORTED_VERSION],
    ['source 9.0.0', version('9.0.0'), OTHER, ERROR_CODES.PREFLIGHT_UNSUPPORTED_VERSION],
    ['destination 5.0.0', {}, { ...OTHER, ...version('5.0.0') }, ERROR_CODES.PREFLIGHT_UNSUPPORTED_VERSION],
    ['destination 10.0.0', {}, { ...OTHER, ...version('10.0.0') }, ERROR_CODES.PREFLIGHT_UNSUPPORTED_VERSION],
    ['an unparsable version', { version: 'unknown', versionArray: [Number.NaN] }, OTHER, ERROR_CODES.PREFLIGHT_UNSUPPORTED_VERSION],
    ['a standalone source', { kind: 'standalone', setName: '', hosts: [], me: '' }, OTHER, ERROR_CODES.PREFLIGHT_UNSUPPORTED_TOPOLOGY],
    ['a standalone destination', {}, { ...OTHER, kind: 'standalone', setName: '', hosts: [], me: '' }, 'ok'],
    ['a sharded source', { kind: 'sharded', setName: '', hosts: [], me: '' }, OTHER, 'ok'],
    ['the same server process reached by two aliases', {}, { hosts: ['localhost:27017'], me: 'localhost:27017' }, ERROR_CODES.PREFLIGHT_SAME_DEPLOYMENT],
    ['the same replica set seen from two processes', {}, { processId: OTHER.processId }, ERROR_CODES.PREFLIGHT_SAME_DEPLOYMENT],
    ['two replica sets that share only their name', {}, OTHER, 'ok'],
    ['two standalone servers', { kind: 'sharded', setName: '', hosts: [], me: '' }, { ...OTHER, kind: 'standalone', setName: '', hosts: [], me: '' }, 'ok'],
    ['a version problem is reported before the topology', { ...version('5.0.0'), kind: 'standalone' }, OTHER, ERROR_CODES.PREFLIGHT_UNSUPPORTED_VERSION],
  ];

  it.each(table)('%s', (_name, source, destination, expected) => {
    expect(outcome(() => checkDeployments(replicaSet(source), replicaSet(destination)))).toBe(expected);
  });

  it('names the side, the version and the supported range', () => {
    expect(() => checkDeployments(replicaSet(), replicaSet({ ...OTHER, ...version('5.0.3') }))).toThrow(
      'The destination runs MongoDB 5.0.3; supported versions are 6.0 to 8.x.',
    );
  });

  it('says what makes two deployments the same', () => {
    expect(sameDeploymentEvidence(replicaSet(), replicaSet({ hosts: ['localhost:27017'], me: 'localhost:27017' }))).toBe(
      'both connections reach the same server process (a.example:27017)',
    );
    expect(sameDeploymentEvidence(replicaSet(), replicaSet({ processId: OTHER.processId, me: 'c.example:27017' }))).toBe(
      'both are replica set "rs0" with members a.example:27017',
    );
    expect(sameDeploymentEvidence(replicaSet(), replicaSet(OTHER))).toBe('');
  });
});

const DEFAULTS: Omit<PreflightOptions, 'migrationId'> = { userWriteBlocking: 'destinationOnly', reversible: false };

function actions(side: 'source' | 'destination', options: Omit<PreflightOptions, 'migrationId'>): string[] {
  return requiredPrivileges(side, options).map((r) => `${r.scope}:${r.action}`);
}

describe('requiredPrivileges', () => {
  it('asks the source for reads, change streams and the cluster actions mongosync documents', () => {
    expect(actions('source', DEFAULTS)).toEqual([
      'cluster:appendOplogNote', 'cluster:getDefaultRWConcern', 'cluster:getShardMap', 'cluster:hostInfo',
      'cluster:listDatabases', 'cluster:listShards', 'cluster:replSetGetConfig', 'cluster:replSetGetStatus',
      'cluster:serverStatus', 'anyNormal:find', 'anyNormal:listCollections', 'anyNormal:listIndexes',
      'anyNormal:collStats', 'anyNormal:changeStream',
    ]);
  });

  it('asks the destination for writes, catalog changes and write blocking', () => {
    expect(actions('destination', DEFAULTS)).toEqual([
      'cluster:listDatabases', 'anyNormal:find', 'anyNormal:listCollections', 'anyNormal:listIndexes', 'anyNormal:insert',
      'anyNormal:update', 'anyNormal:remove', 'anyNormal:createCollection', 'anyNormal:createIndex',
      'anyNormal:dropCollection', 'anyNormal:collMod', 'anyNormal:bypassDocumentValidation',
      'cluster:setUserWriteBlockMode', 'cluster:bypassWriteBlockingMode',
    ]);
  });

  const blockingTable: [UserWriteBlocking, boolean, string[], string[]][] = [
    ['destinationOnly', false, [], ['cluster:setUserWriteBlockMode', 'cluster:bypassWriteBlockingMode']],
    ['none', false, [], []],
    ['sourceAndDestination', false, ['cluster:setUserWriteBlockMode'], ['cluster:setUserWriteBlockMode', 'cluster:bypassWriteBlockingMode']],
    ['sourceAndDestination', true, ['cluster:setUserWriteBlockMode', 'cluster:bypassWriteBlockingMode'], ['cluster:setUserWriteBlockMode', 'cluster:bypassWriteBlockingMode']],
  ];
  it.each(blockingTable)('enableUserWriteBlocking %s, reversible %s: write-blocking actions per side', (mode, reversible, source, destination) => {
    const options = { userWriteBlocking: mode, reversible };
    const blocking = (list: string[]) => list.filter((a) => a.endsWith('WriteBlockMode') || a.endsWith('WriteBlockingMode'));
    expect(blocking(actions('source', options))).toEqual(source);
    expect(blocking(actions('destination', options))).toEqual(destination);
  });
});

/** What connectionStatus shows for users of these built-in roles (role or role@db; admin by default). */
function grantedByRoles(...roles: string[]): GrantedPrivilege[] {
  const names = roles.map((r) => {
    const [role, db] = r.split('@');
    return { role: role!, db: db ?? 'admin' };
  });
  return privilegesOfRoles(names).map((p) => privilegeToDocument(p) as GrantedPrivilege);
}

function user(name: string, privileges: GrantedPrivilege[]): ConnectionPrivileges {
  return { users: [name], privileges, unrestricted: false };
}

function privilegeError(source: ConnectionPrivileges, destination: ConnectionPrivileges, options = DEFAULTS): PreflightError | undefined {
  try {
    checkPrivileges({ source, destination }, options);
    return undefined;
  } catch (error) {
    if (error instanceof PreflightError) return error;
    throw error;
  }
}

describe('checkPrivileges', () => {
  const root = user('admin@admin', grantedByRoles('root'));

  it('passes root on both sides', () => {
    expect(privilegeError(root, root)).toBeUndefined();
  });

  it('passes servers without access control', () => {
    const open: ConnectionPrivileges = { users: [], privileges: [], unrestricted: true };
    expect(privilegeError(open, open)).toBeUndefined();
  });

  it('passes the roles its hint names (mongosync\'s documented roles), in every write-blocking mode', () => {
    const source = user('src@admin', grantedByRoles('backup', 'clusterMonitor', 'readAnyDatabase'));
    const destination = user('dst@admin', grantedByRoles('clusterManager', 'clusterMonitor', 'readWriteAnyDatabase', 'restore'));
    for (const userWriteBlocking of ['destinationOnly', 'none', 'sourceAndDestination'] as const) {
      expect(privilegeError(source, destination, { userWriteBlocking, reversible: false })).toBeUndefined();
    }
  });

  it('needs bypassWriteBlockingMode on a reversible source, which backup does not grant', () => {
    const source = user('src@admin', grantedByRoles('backup', 'clusterMonitor', 'readAnyDatabase'));
    const error = privilegeError(source, root, { userWriteBlocking: 'sourceAndDestination', reversible: true });
    expect(error?.details).toEqual({ source: { users: ['src@admin'], cluster: ['bypassWriteBlockingMode'], anyDatabase: [] } });
  });

  it('lists what a readWrite@shop user lacks, per side, with the code', () => {
    const shop = user('app@shop', grantedByRoles('readWrite@shop'));
    const error = privilegeError(shop, shop);
    expect(error?.code).toBe(ERROR_CODES.PREFLIGHT_MISSING_PRIVILEGES);
    expect(error?.details).toEqual({
      source: {
        users: ['app@shop'],
        cluster: ['appendOplogNote', 'getDefaultRWConcern', 'getShardMap', 'hostInfo', 'listDatabases', 'listShards', 'replSetGetConfig', 'replSetGetStatus', 'serverStatus'],
        anyDatabase: ['find', 'listCollections', 'listIndexes', 'collStats', 'changeStream'],
      },
      destination: {
        users: ['app@shop'],
        cluster: ['listDatabases', 'setUserWriteBlockMode', 'bypassWriteBlockingMode'],
        anyDatabase: ['find', 'listCollections', 'listIndexes', 'insert', 'update', 'remove', 'createCollection', 'createIndex', 'dropCollection', 'collMod', 'bypassDocumentValidation'],
      },
    });
    expect(error?.message).toContain('the source user app@shop lacks on the cluster: appendOplogNote,');
    expect(error?.message).toContain('the destination user app@shop lacks on the cluster: listDatabases, setUserWriteBlockMode, bypassWriteBlockingMode; on every database: find,');
    expect(error?.hint).toContain('readAnyDatabase');
  });

  it('lists only the failing side', () => {
    const reader = user('reader@admin', grantedByRoles('readAnyDatabase'));
    const error = privilegeError(root, reader);
    expect(Object.keys(error?.details ?? {})).toEqual(['destination']);
  });

  it('treats an unauthenticated connection to a server that enforces access control as lacking everything', () => {
    const anonymous: ConnectionPrivileges = { users: [], privileges: [], unrestricted: false };
    const error = privilegeError(anonymous, root);
    expect(error?.message).toContain('the source unauthenticated connection lacks on the cluster: appendOplogNote');
  });

  it('does not take a grant on one database, or on one collection name, for a grant on every database', () => {
    const narrow = user('n@admin', [
      { resource: { cluster: true }, actions: requiredPrivileges('source', DEFAULTS).filter((r) => r.scope === 'cluster').map((r) => r.action) },
      { resource: { db: 'shop', collection: '' }, actions: ['find', 'listCollections', 'listIndexes', 'collStats', 'changeStream'] },
      { resource: { db: '', collection: 'orders' }, actions: ['find', 'listCollections', 'listIndexes', 'collStats', 'changeStream'] },
    ]);
    expect(privilegeError(narrow, root)?.details).toEqual({
      source: { users: ['n@admin'], cluster: [], anyDatabase: ['find', 'listCollections', 'listIndexes', 'collStats', 'changeStream'] },
    });
  });

  it('takes anyResource for everything', () => {
    const system = user('s@admin', [{ resource: { anyResource: true }, actions: ['appendOplogNote', 'getDefaultRWConcern', 'getShardMap', 'hostInfo', 'listDatabases', 'listShards', 'replSetGetConfig', 'replSetGetStatus', 'serverStatus', 'find', 'listCollections', 'listIndexes', 'collStats', 'changeStream'] }]);
    expect(privilegeError(system, root)).toBeUndefined();
  });
});
