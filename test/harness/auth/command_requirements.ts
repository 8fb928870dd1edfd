import { Long, type Document } from 'bson';
import { RESOURCES, parseRoleName, type RoleName, type TargetResource } from './privileges.js';
import { isTruthy } from '../engine/query/filter.js';

/** The parts of a request that decide what it needs: its database, name, body and OP_MSG document sequences. */
export interface AuthzRequest {
  db: string;
  commandName: string;
  body: Document;
  /** Kind-1 sections (`documents`, `updates`, `deletes`), decoded. */
  sequences?: ReadonlyMap<string, readonly Document[]>;
}

/** Actions that must all be held on one resource. */
export interface AuthCheck {
  resource: TargetResource;
  actions: string[];
}

/** What a command needs from the connection's user, as mongod's checkAuthForOperation decides it. */
export type Requirement =
  /** Allowed before authentication (the handshake set). */
  | { kind: 'none' }
  /** Any authenticated user, no privilege (sessions, transactions). */
  | { kind: 'authenticated' }
  /** Every check must hold. */
  | { kind: 'privileges'; checks: AuthCheck[] }
  /** One of the options must hold. */
  | { kind: 'anyOf'; options: Requirement[] }
  /** The cursors must have been opened by the same user (getMore); `unless` lets a privilege override it. */
  | { kind: 'cursorOwner'; ids: Long[]; unless?: Requirement }
  /** The request is about the authenticated user itself (usersInfo on oneself). */
  | { kind: 'isUser'; users: { user: string; db: string }[] }
  /** The user holds some action on the database or one of its collections (listing authorized collections). */
  | { kind: 'anyActionOnDatabase'; db: string }
  /** The authenticated user holds every one of the roles (rolesInfo on one's own roles). */
  | { kind: 'holdsRoles'; roles: RoleName[] }
  /** Commands without a rule of their own: only root (and __system) may run them. */
  | { kind: 'root' };

/** Commands mongod runs before authentication (requiresAuth() false), plus endSessions. */
export const OPEN_COMMANDS: ReadonlySet<string> = new Set([
  'authenticate', 'buildInfo', 'buildinfo', 'connectionStatus', 'endSessions', 'hello', 'isMaster', 'ismaster',
  'listCommands', 'logout', 'ping', 'saslContinue', 'saslStart',
]);

/** Commands any authenticated user may run: they need no privilege on mongod. */
const AUTHENTICATED_ONLY: ReadonlySet<string> = new Set([
  'abortTransaction', 'availableQueryOptions', 'commitTransaction', 'configureFailPoint', 'features', 'getnonce',
  'killSessions', 'refreshLogicalSessionCacheNow', 'refreshSessions', 'startSession', 'waitForFailPoint', 'whatsmyuri',
  '_isSelf',
]);

/** Commands that need one action on the cluster resource. */
const CLUSTER_ACTIONS: Readonly<Record<string, string>> = Object.freeze({
  appendOplogNote: 'appendOplogNote',
  applyOps: 'applyOps',
  connPoolStats: 'connPoolStats',
  dropConnections: 'dropConnections',
  fsync: 'fsync',
  fsyncUnlock: 'unlock',
  getClusterParameter: 'getClusterParameter',
  getCmdLineOpts: 'getCmdLineOpts',
  getDefaultRWConcern: 'getDefaultRWConcern',
  getDiagnosticData: 'serverStatus',
  getLog: 'getLog',
  getParameter: 'getParameter',
  getShardMap: 'getShardMap',
  hostInfo: 'hostInfo',
  killAllSessions: 'killAnySession',
  killAllSessionsByPattern: 'killAnySession',
  killOp: 'killop',
  lockInfo: 'serverStatus',
  logRotate: 'logRotate',
  netstat: 'netstat',
  replSetFreeze: 'replSetStateChange',
  replSetGetConfig: 'replSetGetConfig',
  replSetGetStatus: 'replSetGetStatus',
  replSetInitiate: 'replSetConfigure',
  replSetMaintenance: 'replSetStateChange',
  replSetReconfig: 'replSetConfigure',
  replSetResizeOplog: 'replSetResizeOplog',
  replSetStepDown: 'replSetStateChange',
  replSetSyncFrom: 'replSetStateChange',
  rotateCertificates: 'rotateCertificates',
  serverStatus: 'serverStatus',
  setClusterParameter: 'setClusterParameter',
  setDefaultRWConcern: 'setDefaultRWConcern',
  setFeatureCompatibilityVersion: 'setFeatureCompatibilityVersion',
  setParameter: 'setParameter',
  setUserWriteBlockMode: 'setUserWriteBlockMode',
  shardingState: 'shardingState',
  shutdown: 'shutdown',
  top: 'top',
});

/** Commands that need one action on the namespace `<db>.<first value>`. */
const NAMESPACE_ACTIONS: Readonly<Record<string, string[]>> = Object.freeze({
  collMod: ['collMod'],
  collStats: ['collStats'],
  compact: ['compact'],
  convertToCapped: ['convertToCapped'],
  count: ['find'],
  createIndexes: ['createIndex'],
  createSearchIndexes: ['createSearchIndexes'],
  deleteIndexes: ['dropIndex'],
  distinct: ['find'],
  drop: ['dropCollection'],
  dropIndexes: ['dropIndex'],
  dropSearchIndex: ['dropSearchIndex'],
  find: ['find'],
  listIndexes: ['listIndexes'],
  listSearchIndexes: ['listSearchIndexes'],
  reIndex: ['reIndex'],
  splitVector: ['splitVector'],
  updateSearchIndex: ['updateSearchIndex'],
  validate: ['validate'],
});

/** Commands that need one action on their database. */
const DATABASE_ACTIONS: Readonly<Record<string, string>> = Object.freeze({
  dbHash: 'dbHash',
  dbStats: 'dbStats',
  dbstats: 'dbStats',
  dropDatabase: 'dropDatabase',
  dropAllUsersFromDatabase: 'dropUser',
  dropUser: 'dropUser',
  profile: 'enableProfiler',
});

const privileges = (...checks: AuthCheck[]): Requirement => ({ kind: 'privileges', checks });
const check = (resource: TargetResource, ...actions: string[]): AuthCheck => ({ resource, actions });
const anyOf = (...options: Requirement[]): Requirement => ({ kind: 'anyOf', options });

function firstValueNamespace(req: AuthzRequest): TargetResource {
  return RESOURCES.namespace(req.db, String(req.body[req.commandName]));
}

/** The statements of a write command, from the body or its OP_MSG document sequence. */
function statements(req: AuthzRequest, field: string): Document[] {
  const inBody = req.body[field];
  if (Array.isArray(inBody)) return inBody as Document[];
  return [...(req.sequences?.get(field) ?? [])];
}

function bypassValidation(req: AuthzRequest, resource: TargetResource): AuthCheck[] {
  return req.body.bypassDocumentValidation === true ? [check(resource, 'bypassDocumentValidation')] : [];
}

function parseNamespaceString(ns: unknown): TargetResource | undefined {
  if (typeof ns !== 'string') return undefined;
  const dot = ns.indexOf('.');
  return dot > 0 ? RESOURCES.namespace(ns.slice(0, dot), ns.slice(dot + 1)) : undefined;
}

/** Stages that produce their own documents: a pipeline starting with one reads no collection (no `find`). */
const INITIAL_SOURCES: ReadonlySet<string> = new Set([
  '$changeStream', '$collStats', '$currentOp', '$documents', '$indexStats', '$listCatalog', '$listLocalSessions',
  '$listSearchIndexes', '$listSessions', '$planCacheStats', '$queryStats', '$shardedDataDistribution',
]);

/** The checks a pipeline needs, stage by stage (mongod's LiteParsedPipeline::getRequiredPrivileges). */
export function pipelineChecks(db: string, collection: string | undefined, pipeline: readonly Document[], body: Document = {}): AuthCheck[] {
  const checks: AuthCheck[] = [];
  const first = pipeline[0] ? Object.keys(pipeline[0])[0] : undefined;
  if (collection !== undefined && (first === undefined || !INITIAL_SOURCES.has(first))) {
    checks.push(check(RESOURCES.namespace(db, collection), 'find'));
  }
  for (const stage of pipeline) {
    const name = Object.keys(stage ?? {})[0];
    if (!name) continue;
    const spec = stage[name];
    switch (name) {
      case '$changeStream': {
        const target = spec?.allChangesForCluster === true ? RESOURCES.anyNormal() : collection === undefined ? RESOURCES.database(db) : RESOURCES.namespace(db, collection);
        checks.push(check(target, 'changeStream', 'find'));
        break;
      }
      case '$collStats':
        if (collection !== undefined) checks.push(check(RESOURCES.namespace(db, collection), 'collStats'));
        break;
      case '$indexStats':
        if (collection !== undefined) checks.push(check(RESOURCES.namespace(db, collection), 'indexStats'));
        break;
      case '$planCacheStats':
        if (collection !== undefined) checks.push(check(RESOURCES.namespace(db, collection), 'planCacheRead'));
        break;
      case '$currentOp':
        // Without allUsers (the default) a user may see its own operations; inprog is needed to see everyone's.
        if (spec?.allUsers === true) checks.push(check(RESOURCES.cluster(), 'inprog'));
        break;
      case '$listSessions':
      case '$listLocalSessions':
        if (spec?.allUsers === true) checks.push(check(RESOURCES.cluster(), 'listSessions'));
        break;
      case '$lookup':
      case '$graphLookup': {
        if (typeof spec?.from === 'string') checks.push(check(RESOURCES.namespace(db, spec.from), 'find'));
        else if (spec?.from && typeof spec.from === 'object') checks.push(check(RESOURCES.namespace(String(spec.from.db), String(spec.from.coll)), 'find'));
        if (Array.isArray(spec?.pipeline)) checks.push(...pipelineChecks(db, undefined, spec.pipeline as Document[]));
        break;
      }
      case '$unionWith': {
        const coll = typeof spec === 'string' ? spec : spec?.coll;
        if (typeof coll === 'string') checks.push(check(RESOURCES.namespace(db, coll), 'find'));
        if (Array.isArray(spec?.pipeline)) checks.push(...pipelineChecks(db, undefined, spec.pipeline as Document[]));
        break;
      }
      case '$facet':
        for (const sub of Object.values((spec ?? {}) as Document)) {
          if (Array.isArray(sub)) checks.push(...pipelineChecks(db, undefined, sub as Document[]));
        }
        break;
      case '$out': {
        const target = typeof spec === 'string' ? RESOURCES.namespace(db, spec) : RESOURCES.namespace(String(spec?.db ?? db), String(spec?.coll));
        checks.push(check(target, 'insert', 'remove'), ...(body.bypassDocumentValidation === true ? [check(target, 'bypassDocumentValidation')] : []));
        break;
      }
      case '$merge': {
        const into = typeof spec === 'string' ? spec : spec?.into;
        const target = typeof into === 'string' ? RESOURCES.namespace(db, into) : RESOURCES.namespace(String(into?.db ?? db), String(into?.coll));
        const actions = ['insert'];
        if ((typeof spec === 'object' ? spec?.whenMatched : undefined) !== 'fail') actions.push('update');
        checks.push(check(target, ...actions), ...(body.bypassDocumentValidation === true ? [check(target, 'bypassDocumentValidation')] : []));
        break;
      }
      default:
        break;
    }
  }
  return checks;
}

function rolesArgument(value: unknown, db: string): RoleName[] {
  if (!Array.isArray(value)) return [];
  return value.map((r) => parseRoleName(r, db)).filter((r): r is RoleName => r !== undefined);
}

function grantChecks(roles: readonly RoleName[], action: 'grantRole' | 'revokeRole'): AuthCheck[] {
  return roles.map((r) => check(RESOURCES.database(r.db), action));
}

/** The users a usersInfo asks for, or undefined when it asks for every user (of a database or all of them). */
function usersInfoTargets(req: AuthzRequest): { user: string; db: string }[] | undefined {
  const arg = req.body.usersInfo;
  const one = (v: unknown) => (typeof v === 'string' ? { user: v, db: req.db } : v && typeof v === 'object' ? { user: String((v as Document).user), db: String((v as Document).db) } : undefined);
  if (Array.isArray(arg)) return arg.map(one).filter((u): u is { user: string; db: string } => u !== undefined);
  if (typeof arg === 'string' || (arg && typeof arg === 'object' && !('forAllDBs' in arg))) {
    const u = one(arg);
    return u ? [u] : undefined;
  }
  return undefined;
}

/** What the command in `req` requires, per command name and body. */
export function commandRequirement(req: AuthzRequest): Requirement {
  const { db, commandName: name, body } = req;
  if (OPEN_COMMANDS.has(name)) return { kind: 'none' };
  if (AUTHENTICATED_ONLY.has(name)) return { kind: 'authenticated' };
  const clusterAction = CLUSTER_ACTIONS[name];
  if (clusterAction) return privileges(check(RESOURCES.cluster(), clusterAction));
  const nsActions = NAMESPACE_ACTIONS[name];
  if (nsActions) return privileges(check(firstValueNamespace(req), ...nsActions));
  const dbAction = DATABASE_ACTIONS[name];
  if (dbAction) return privileges(check(RESOURCES.database(db), dbAction));
  switch (name) {
    case 'insert': {
      const ns = firstValueNamespace(req);
      return privileges(check(ns, 'insert'), ...bypassValidation(req, ns));
    }
    case 'update': {
      const ns = firstValueNamespace(req);
      const upsert = statements(req, 'updates').some((u) => u?.upsert === true);
      return privileges(check(ns, 'update', ...(upsert ? ['insert'] : [])), ...bypassValidation(req, ns));
    }
    case 'delete':
      return privileges(check(firstValueNamespace(req), 'remove'));
    case 'findAndModify':
    case 'findandmodify': {
      const ns = firstValueNamespace(req);
      const actions = body.remove === true ? ['find', 'remove'] : ['find', 'update', ...(body.upsert === true ? ['insert'] : [])];
      return privileges(check(ns, ...actions), ...bypassValidation(req, ns));
    }
    case 'aggregate': {
      const collection = typeof body.aggregate === 'string' ? body.aggregate : undefined;
      return privileges(...pipelineChecks(db, collection, Array.isArray(body.pipeline) ? (body.pipeline as Document[]) : [], body));
    }
    case 'mapReduce':
    case 'mapreduce': {
      const checks = [check(firstValueNamespace(req), 'find')];
      const out = body.out;
      if (typeof out === 'string') checks.push(check(RESOURCES.namespace(db, out), 'insert', 'remove'));
      else if (out && typeof out === 'object' && !('inline' in out)) {
        const coll = out.replace ?? out.merge ?? out.reduce;
        if (typeof coll === 'string') checks.push(check(RESOURCES.namespace(String(out.db ?? db), coll), 'insert', 'remove', 'update'));
      }
      return privileges(...checks);
    }
    case 'explain': {
      const inner = body.explain;
      if (!inner || typeof inner !== 'object' || Array.isArray(inner)) return { kind: 'root' };
      const innerName = Object.keys(inner)[0];
      if (!innerName || innerName === 'explain') return { kind: 'root' };
      return commandRequirement({ db, commandName: innerName, body: inner as Document });
    }
    case 'getMore':
      return { kind: 'cursorOwner', ids: body.getMore instanceof Long ? [body.getMore] : [] };
    case 'killCursors': {
      const ids = Array.isArray(body.cursors) ? body.cursors.filter((id: unknown): id is Long => id instanceof Long) : [];
      // checkAuthForKillCursors: killAnyCursor on the cluster or the namespace kills anyone's cursor.
      const unless = anyOf(privileges(check(RESOURCES.cluster(), 'killAnyCursor')), privileges(check(firstValueNamespace(req), 'killAnyCursor')));
      return { kind: 'cursorOwner', ids, unless };
    }
    case 'listDatabases':
      // mongod checks nothing before running it: a user without the listDatabases action gets the databases it has
      // privileges in, and the handler refuses `authorizedDatabases: false` to it with its own message.
      return { kind: 'authenticated' };
    case 'listCollections':
      // mongod's checkAuthorizedToListCollections: listCollections on the database, or (for authorizedCollections
      // with nameOnly) any privilege in it; the handler then lists only the collections the user may see.
      if (isTruthy(body.authorizedCollections) && isTruthy(body.nameOnly)) {
        return anyOf(privileges(check(RESOURCES.database(db), 'listCollections')), { kind: 'anyActionOnDatabase', db });
      }
      return privileges(check(RESOURCES.database(db), 'listCollections'));
    case 'create': {
      const ns = firstValueNamespace(req);
      if (typeof body.viewOn === 'string') {
        return privileges(check(ns, 'createCollection'), ...pipelineChecks(db, body.viewOn, Array.isArray(body.pipeline) ? (body.pipeline as Document[]) : []));
      }
      return anyOf(privileges(check(ns, 'createCollection')), privileges(check(ns, 'insert')));
    }
    case 'renameCollection': {
      const from = parseNamespaceString(body.renameCollection);
      const to = parseNamespaceString(body.to);
      if (!from || !to || from.kind !== 'namespace' || to.kind !== 'namespace') return { kind: 'root' };
      const dropTarget = body.dropTarget === true ? [check(to, 'dropCollection')] : [];
      const crossDb = privileges(check(from, 'find', 'dropCollection'), check(to, 'insert', 'createIndex'), ...dropTarget);
      if (from.db !== to.db) return crossDb;
      return anyOf(privileges(check(RESOURCES.database(from.db), 'renameCollectionSameDB'), ...dropTarget), crossDb);
    }
    case 'cloneCollectionAsCapped':
      return privileges(check(firstValueNamespace(req), 'find'), check(RESOURCES.namespace(db, String(body.toCollection)), 'insert', 'createIndex', 'convertToCapped'));
    case 'dataSize':
    case 'datasize': {
      const ns = parseNamespaceString(body[name]);
      return ns ? privileges(check(ns, 'find')) : { kind: 'root' };
    }
    case 'filemd5':
      return privileges(check(RESOURCES.namespace(db, `${typeof body.root === 'string' ? body.root : 'fs'}.chunks`), 'find'));
    case 'currentOp':
      return body.$ownOps === true ? { kind: 'authenticated' } : privileges(check(RESOURCES.cluster(), 'inprog'));
    case 'bulkWrite': {
      const nsInfo = Array.isArray(body.nsInfo) ? (body.nsInfo as Document[]) : [];
      const ops = statements(req, 'ops');
      const actionsByNs = nsInfo.map(() => new Set<string>());
      for (const op of ops) {
        const kind = Object.keys(op ?? {})[0];
        const index = Number(op?.[kind ?? '']);
        const set = actionsByNs[index];
        if (!set) continue;
        if (kind === 'insert') set.add('insert');
        else if (kind === 'update') { set.add('update'); if (op.upsert === true) set.add('insert'); }
        else if (kind === 'delete') set.add('remove');
      }
      return privileges(...nsInfo.flatMap((info, i) => {
        const ns = parseNamespaceString(info?.ns);
        return ns && actionsByNs[i]!.size ? [check(ns, ...actionsByNs[i]!)] : [];
      }));
    }
    case 'createUser': {
      const roles = rolesArgument(body.roles, db);
      return privileges(check(RESOURCES.database(db), 'createUser'), ...grantChecks(roles, 'grantRole'));
    }
    case 'updateUser': {
      const checks: AuthCheck[] = [];
      if (body.pwd !== undefined) checks.push(check(RESOURCES.database(db), 'changePassword'));
      if (body.customData !== undefined) checks.push(check(RESOURCES.database(db), 'changeCustomData'));
      if (body.roles !== undefined) checks.push(...grantChecks(rolesArgument(body.roles, db), 'grantRole'));
      if (checks.length === 0) checks.push(check(RESOURCES.database(db), 'changePassword'));
      return privileges(...checks);
    }
    case 'grantRolesToUser':
      return privileges(...grantChecks(rolesArgument(body.roles, db), 'grantRole'));
    case 'revokeRolesFromUser':
      return privileges(...grantChecks(rolesArgument(body.roles, db), 'revokeRole'));
    case 'usersInfo': {
      const byPrivilege = body.usersInfo && typeof body.usersInfo === 'object' && (body.usersInfo as Document).forAllDBs === true
        ? privileges(check(RESOURCES.cluster(), 'viewUser'))
        : privileges(...[...new Set((usersInfoTargets(req) ?? [{ user: '', db }]).map((u) => u.db))].map((d) => check(RESOURCES.database(d), 'viewUser')));
      const targets = usersInfoTargets(req);
      return targets && targets.length > 0 ? anyOf(byPrivilege, { kind: 'isUser', users: targets }) : byPrivilege;
    }
    case 'rolesInfo': {
      const asked = Array.isArray(body.rolesInfo) ? rolesArgument(body.rolesInfo, db) : rolesArgument([body.rolesInfo], db);
      const byPrivilege = privileges(check(RESOURCES.database(db), 'viewRole'), ...[...new Set(asked.map((r) => r.db))].filter((d) => d !== db).map((d) => check(RESOURCES.database(d), 'viewRole')));
      return asked.length > 0 ? anyOf(byPrivilege, { kind: 'holdsRoles', roles: asked }) : byPrivilege;
    }
    default:
      return { kind: 'root' };
  }
}
