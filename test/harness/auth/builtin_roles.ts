/**
 * mongod's built-in roles and the privileges they grant, transcribed from the server's
 * src/mongo/db/auth/builtin_roles.yml (the table that builtin_roles.cpp is generated from). A few actions in these
 * lists only exist in releases after 7.0 (e.g. moveCollection); granting an action no 7.0 command asks for is
 * harmless.
 */

/** How a role's privilege names its resource (builtin_roles.yml `matchType`). */
export const MATCH_TYPES = Object.freeze({
  /** Every resource, the cluster included (only __system). */
  any: 'any',
  cluster: 'cluster',
  /** Every non-system collection of every database except local and config, and those databases. */
  anyNormal: 'any_normal',
  /** The role's database (or `db`): its non-system collections. */
  database: 'database',
  /** One collection name in the role's database (or `db`). */
  exactNamespace: 'exact_namespace',
  /** One collection name in every database. */
  collection: 'collection',
  /** Every `system.buckets.*` collection (time series). */
  anySystemBuckets: 'any_system_buckets',
} as const);

export type MatchType = (typeof MATCH_TYPES)[keyof typeof MATCH_TYPES];

/** One privilege line of a built-in role, before it is bound to the database the role is granted on. */
export interface RolePrivilegeSpec {
  match: MatchType;
  /** Fixed database (e.g. 'local' in clusterMonitor); default: the role's database. */
  db?: string;
  collection?: string;
  actions: readonly string[];
}

/** A built-in role: its own privileges and the roles it includes. */
export interface BuiltinRoleSpec {
  /** Exists only in the admin database (readAnyDatabase, root, ...). */
  adminOnly: boolean;
  /** Included roles: a name means the same database as the including role. */
  roles: readonly (string | { role: string; db: string })[];
  privileges: readonly RolePrivilegeSpec[];
}

const READ = ['changeStream', 'collStats', 'dbHash', 'dbStats', 'find', 'killCursors', 'listCollections', 'listIndexes', 'listSearchIndexes', 'planCacheRead'];

const READ_WRITE = [
  ...READ, 'cleanupStructuredEncryptionData', 'compactStructuredEncryptionData', 'convertToCapped', 'createCollection',
  'createIndex', 'createSearchIndexes', 'dropCollection', 'dropIndex', 'dropSearchIndex', 'insert', 'remove',
  'renameCollectionSameDB', 'update', 'updateSearchIndex',
];

const USER_ADMIN = [
  'changeCustomData', 'changePassword', 'createUser', 'createRole', 'dropUser', 'dropRole', 'grantRole', 'revokeRole',
  'setAuthenticationRestriction', 'viewUser', 'viewRole',
];

const DB_ADMIN = [
  'analyze', 'bypassDocumentValidation', 'collMod', 'collStats', 'compact', 'convertToCapped', 'createCollection',
  'dbStats', 'dropCollection', 'dropDatabase', 'dropIndex', 'dropSearchIndex', 'createIndex', 'createSearchIndexes',
  'enableProfiler', 'listCollections', 'listIndexes', 'listSearchIndexes', 'updateSearchIndex', 'planCacheIndexFilter',
  'planCacheRead', 'planCacheWrite', 'reIndex', 'renameCollectionSameDB', 'storageDetails', 'validate',
];

const SYSTEM_PROFILE = [...READ, 'convertToCapped', 'createCollection', 'dropCollection'];

const READ_AND_INDEX = [...READ, 'createIndex', 'createSearchIndexes', 'dropIndex', 'dropSearchIndex'];

const CLUSTER_MONITOR_CLUSTER = [
  'connPoolStats', 'getCmdLineOpts', 'getDefaultRWConcern', 'getLog', 'getParameter', 'getShardMap', 'hostInfo',
  'listDatabases', 'listSampledQueries', 'listSessions', 'listShards', 'netstat', 'operationMetrics', 'replSetGetConfig',
  'replSetGetStatus', 'serverStatus', 'top', 'useUUID', 'inprog', 'shardingState', 'allCollectionStats',
  'shardedDataDistribution',
];

const CLUSTER_MONITOR_DB = ['collStats', 'dbStats', 'getDatabaseVersion', 'getShardVersion', 'indexStats'];

const HOST_MANAGER_CLUSTER = [
  'applicationMessage', 'auditConfigure', 'connPoolSync', 'dropConnections', 'logRotate', 'oidReset', 'setParameter',
  'shutdown', 'touch', 'unlock', 'flushRouterConfig', 'fsync', 'invalidateUserCache', 'killAnyCursor', 'killAnySession',
  'killop', 'replSetResizeOplog', 'resync', 'trafficRecord', 'rotateCertificates', 'oidcListKeys', 'oidcRefreshKeys',
];

const CLUSTER_MANAGER_CLUSTER = [
  'appendOplogNote', 'applicationMessage', 'replSetConfigure', 'replSetGetConfig', 'replSetGetStatus',
  'replSetStateChange', 'resync', 'addShard', 'removeShard', 'listSessions', 'listShards', 'flushRouterConfig',
  'cleanupOrphaned', 'getDefaultRWConcern', 'runTenantMigration', 'setDefaultRWConcern', 'setFeatureCompatibilityVersion',
  'setClusterParameter', 'getClusterParameter', 'setChangeStreamState', 'getChangeStreamState', 'querySettings',
  'queryStatsRead', 'queryStatsReadTransformed', 'checkMetadataConsistency', 'transitionFromDedicatedConfigServer',
  'transitionToDedicatedConfigServer',
];

const CLUSTER_MANAGER_DB = [
  'analyzeShardKey', 'configureQueryAnalyzer', 'clearJumboFlag', 'splitChunk', 'moveChunk', 'moveCollection',
  'enableSharding', 'splitVector', 'refineCollectionShardKey', 'reshardCollection',
];

const CLUSTER_MANAGER_WRITE = ['insert', 'update', 'remove'];

const RESTORE_WRITE = [
  'bypassDocumentValidation', 'collMod', 'convertToCapped', 'createCollection', 'createIndex', 'createSearchIndexes',
  'dropCollection', 'insert', 'updateSearchIndex',
];

const { any, cluster, anyNormal, database, exactNamespace, collection, anySystemBuckets } = MATCH_TYPES;

function role(spec: Partial<BuiltinRoleSpec>): BuiltinRoleSpec {
  return Object.freeze({ adminOnly: spec.adminOnly ?? false, roles: spec.roles ?? [], privileges: spec.privileges ?? [] });
}

/** The built-in roles by name. `__system` is special-cased by mongod (every action on every resource). */
export const BUILTIN_ROLES: Readonly<Record<string, BuiltinRoleSpec>> = Object.freeze({
  read: role({
    privileges: [
      { match: database, actions: READ },
      { match: exactNamespace, collection: 'system.js', actions: READ },
    ],
  }),
  readWrite: role({
    privileges: [
      { match: database, actions: READ_WRITE },
      { match: exactNamespace, collection: 'system.js', actions: READ_WRITE },
    ],
  }),
  userAdmin: role({ privileges: [{ match: database, actions: USER_ADMIN }] }),
  dbAdmin: role({
    privileges: [
      { match: database, actions: [...DB_ADMIN, 'configureQueryAnalyzer'] },
      { match: exactNamespace, collection: 'system.profile', actions: SYSTEM_PROFILE },
    ],
  }),
  dbOwner: role({ roles: ['readWrite', 'dbAdmin', 'userAdmin'] }),
  enableSharding: role({
    privileges: [{ match: anyNormal, actions: ['analyzeShardKey', 'enableSharding', 'moveCollection', 'refineCollectionShardKey', 'reshardCollection'] }],
  }),
  readAnyDatabase: role({
    adminOnly: true,
    privileges: [
      { match: anyNormal, actions: READ },
      { match: cluster, actions: ['listDatabases'] },
      { match: collection, collection: 'system.js', actions: READ },
      { match: anySystemBuckets, actions: READ },
    ],
  }),
  readWriteAnyDatabase: role({
    adminOnly: true,
    roles: ['readAnyDatabase'],
    privileges: [
      { match: anyNormal, actions: READ_WRITE },
      { match: collection, collection: 'system.js', actions: READ_WRITE },
      { match: anySystemBuckets, actions: READ_WRITE },
    ],
  }),
  userAdminAnyDatabase: role({
    adminOnly: true,
    privileges: [
      { match: anyNormal, actions: [...USER_ADMIN, 'listCachedAndActiveUsers'] },
      { match: database, db: 'local', actions: USER_ADMIN },
      { match: database, db: 'config', actions: USER_ADMIN },
      { match: cluster, actions: ['listDatabases', 'authSchemaUpgrade', 'invalidateUserCache', 'viewUser'] },
      { match: exactNamespace, db: 'admin', collection: 'system.users', actions: READ_AND_INDEX },
      { match: exactNamespace, db: 'admin', collection: 'system.roles', actions: READ_AND_INDEX },
      { match: collection, collection: 'system.users', actions: READ },
      { match: exactNamespace, db: 'admin', collection: 'system.version', actions: READ },
      { match: exactNamespace, db: 'admin', collection: 'system.backup_users', actions: READ },
    ],
  }),
  dbAdminAnyDatabase: role({
    adminOnly: true,
    privileges: [
      { match: cluster, actions: ['listDatabases', 'applyOps'] },
      { match: anyNormal, actions: [...DB_ADMIN, 'configureQueryAnalyzer'] },
      { match: collection, collection: 'system.profile', actions: SYSTEM_PROFILE },
      { match: anySystemBuckets, actions: DB_ADMIN },
    ],
  }),
  clusterMonitor: role({
    adminOnly: true,
    roles: [{ role: 'read', db: 'config' }, { role: 'read', db: 'local' }],
    privileges: [
      { match: cluster, actions: CLUSTER_MONITOR_CLUSTER },
      { match: anyNormal, actions: CLUSTER_MONITOR_DB },
      { match: database, db: 'config', actions: CLUSTER_MONITOR_DB },
      { match: exactNamespace, db: 'config', collection: 'system.sessions', actions: CLUSTER_MONITOR_DB },
      { match: database, db: 'local', actions: CLUSTER_MONITOR_DB },
      { match: exactNamespace, db: 'local', collection: 'system.replset', actions: ['find'] },
      { match: exactNamespace, db: 'local', collection: 'replset.election', actions: ['find'] },
      { match: exactNamespace, db: 'local', collection: 'replset.minvalid', actions: ['find'] },
      { match: collection, collection: 'system.profile', actions: ['find'] },
    ],
  }),
  hostManager: role({
    adminOnly: true,
    privileges: [
      { match: cluster, actions: HOST_MANAGER_CLUSTER },
      { match: anyNormal, actions: ['killCursors'] },
    ],
  }),
  clusterManager: role({
    adminOnly: true,
    roles: [{ role: 'read', db: 'config' }],
    privileges: [
      { match: cluster, actions: CLUSTER_MANAGER_CLUSTER },
      { match: anyNormal, actions: CLUSTER_MANAGER_DB },
      { match: anySystemBuckets, actions: CLUSTER_MANAGER_DB },
      { match: database, db: 'config', actions: CLUSTER_MANAGER_DB },
      { match: database, db: 'local', actions: CLUSTER_MANAGER_DB },
      { match: exactNamespace, db: 'local', collection: 'system.replset', actions: READ },
      { match: any, actions: ['dbCheck'] },
      { match: exactNamespace, db: 'local', collection: 'system.healthlog', actions: READ },
      { match: database, db: 'config', actions: CLUSTER_MANAGER_WRITE },
      { match: database, db: 'local', actions: CLUSTER_MANAGER_WRITE },
      { match: exactNamespace, db: 'local', collection: 'replset.election', actions: CLUSTER_MANAGER_WRITE },
      { match: exactNamespace, db: 'local', collection: 'replset.minvalid', actions: CLUSTER_MANAGER_WRITE },
    ],
  }),
  clusterAdmin: role({
    adminOnly: true,
    roles: ['clusterMonitor', 'hostManager', 'clusterManager'],
    privileges: [
      { match: anyNormal, actions: ['dropDatabase'] },
      { match: any, actions: ['importCollection', 'exportCollection'] },
    ],
  }),
  __queryableBackup: role({
    adminOnly: true,
    privileges: [
      { match: any, actions: ['collStats', 'listCollections', 'listIndexes', 'listSearchIndexes'] },
      { match: anyNormal, actions: ['find'] },
      { match: anySystemBuckets, actions: ['find'] },
      { match: cluster, actions: ['getParameter', 'listDatabases', 'useUUID'] },
      { match: database, db: 'config', actions: ['find'] },
      { match: database, db: 'local', actions: ['find'] },
      { match: exactNamespace, db: 'local', collection: 'replset.election', actions: ['find'] },
      { match: exactNamespace, db: 'local', collection: 'replset.minvalid', actions: ['find'] },
      { match: collection, collection: 'system.js', actions: ['find'] },
      { match: collection, collection: 'system.users', actions: ['find'] },
      { match: collection, collection: 'system.profile', actions: ['find'] },
      { match: exactNamespace, db: 'admin', collection: 'system.backup_users', actions: ['find'] },
      { match: exactNamespace, db: 'admin', collection: 'system.roles', actions: ['find'] },
      { match: exactNamespace, db: 'admin', collection: 'system.version', actions: ['find'] },
      { match: exactNamespace, db: 'config', collection: 'settings', actions: ['find'] },
    ],
  }),
  backup: role({
    adminOnly: true,
    roles: ['__queryableBackup'],
    privileges: [
      // setUserWriteBlockMode is granted "for C2C replication" (mongosync), as the server's table says.
      { match: cluster, actions: ['appendOplogNote', 'serverStatus', 'setUserWriteBlockMode'] },
      { match: exactNamespace, db: 'config', collection: 'settings', actions: ['insert', 'update'] },
    ],
  }),
  restore: role({
    adminOnly: true,
    privileges: [
      { match: cluster, actions: ['getParameter', 'forceUUID', 'useUUID', 'bypassWriteBlockingMode', 'setUserWriteBlockMode', 'applyOps'] },
      { match: database, db: 'local', actions: RESTORE_WRITE },
      { match: database, db: 'config', actions: RESTORE_WRITE },
      { match: anySystemBuckets, actions: RESTORE_WRITE },
      { match: exactNamespace, db: 'local', collection: 'system.replset', actions: RESTORE_WRITE },
      { match: exactNamespace, db: 'local', collection: 'replset.election', actions: RESTORE_WRITE },
      { match: exactNamespace, db: 'local', collection: 'replset.minvalid', actions: RESTORE_WRITE },
      { match: any, actions: ['listCollections'] },
      { match: anyNormal, actions: [...RESTORE_WRITE, ...USER_ADMIN] },
      { match: collection, collection: 'system.js', actions: RESTORE_WRITE },
      { match: exactNamespace, db: 'admin', collection: 'tempusers', actions: ['find'] },
      { match: exactNamespace, db: 'admin', collection: 'temproles', actions: ['find'] },
      { match: exactNamespace, db: 'admin', collection: 'system.backup_users', actions: RESTORE_WRITE },
      { match: exactNamespace, db: 'admin', collection: 'system.version', actions: [...RESTORE_WRITE, 'find'] },
      { match: collection, collection: 'system.users', actions: [...RESTORE_WRITE, 'find', 'update', 'remove'] },
      { match: exactNamespace, db: 'admin', collection: 'system.roles', actions: ['createIndex'] },
    ],
  }),
  root: role({
    adminOnly: true,
    roles: ['clusterAdmin', 'userAdminAnyDatabase', 'dbAdminAnyDatabase', 'readWriteAnyDatabase', 'backup', 'restore', 'directShardOperations'],
    privileges: [
      { match: any, actions: ['validate'] },
      { match: cluster, actions: ['useTenant'] },
      { match: exactNamespace, db: 'config', collection: 'system.preimages', actions: ['find', 'remove'] },
      { match: exactNamespace, db: 'config', collection: 'system.change_collection', actions: ['find', 'insert', 'remove', 'update'] },
    ],
  }),
  directShardOperations: role({ adminOnly: true, privileges: [{ match: cluster, actions: ['issueDirectShardOperations'] }] }),
  __system: role({ adminOnly: true }),
});

/** The action mongod's __system role holds on every resource: all of them. */
export const ALL_ACTIONS = '*';

/** Whether `{role, db}` names a built-in role (admin-only roles exist only in the admin database). */
export function isBuiltinRole(name: string, db: string): boolean {
  const spec = Object.hasOwn(BUILTIN_ROLES, name) ? BUILTIN_ROLES[name] : undefined;
  return spec !== undefined && (!spec.adminOnly || db === 'admin');
}

/** Names of the built-in roles that exist in `db` (rolesInfo with showBuiltinRoles). */
export function builtinRoleNames(db: string): string[] {
  return Object.keys(BUILTIN_ROLES).filter((name) => !name.startsWith('__') && isBuiltinRole(name, db));
}
