import { Long, type Document } from 'bson';
import { commandRequirement, pipelineChecks, type AuthzRequest } from '../../../harness/auth/command_requirements.js';
import { RESOURCES } from '../../../harness/auth/privileges.js';

const req = (db: string, body: Document, sequences?: Record<string, Document[]>): AuthzRequest => ({
  db,
  commandName: Object.keys(body)[0]!,
  body,
  sequences: sequences ? new Map(Object.entries(sequences)) : undefined,
});
const ns = RESOURCES.namespace;
const privileges = (...checks: [ReturnType<typeof ns> | ReturnType<typeof RESOURCES.cluster>, string[]][]) => ({
  kind: 'privileges',
  checks: checks.map(([resource, actions]) => ({ resource, actions })),
});

/** Commands and what mongod 7.0 requires for them (each command's checkAuthForOperation / addRequiredPrivileges). */
const CASES: [string, AuthzRequest, unknown][] = [
  ['hello is open', req('admin', { hello: 1 }), { kind: 'none' }],
  ['saslStart is open', req('admin', { saslStart: 1 }), { kind: 'none' }],
  ['endSessions is open', req('admin', { endSessions: [] }), { kind: 'none' }],
  ['startSession needs only authentication', req('admin', { startSession: 1 }), { kind: 'authenticated' }],
  ['commitTransaction needs only authentication', req('admin', { commitTransaction: 1 }), { kind: 'authenticated' }],
  ['find needs find on the namespace', req('shop', { find: 'orders' }), privileges([ns('shop', 'orders'), ['find']])],
  ['count needs find', req('shop', { count: 'orders' }), privileges([ns('shop', 'orders'), ['find']])],
  ['insert needs insert', req('shop', { insert: 'orders' }), privileges([ns('shop', 'orders'), ['insert']])],
  ['insert with bypassDocumentValidation needs that action too', req('shop', { insert: 'o', bypassDocumentValidation: true }),
    privileges([ns('shop', 'o'), ['insert']], [ns('shop', 'o'), ['bypassDocumentValidation']])],
  ['update needs update', req('shop', { update: 'o', updates: [{ q: {}, u: {} }] }), privileges([ns('shop', 'o'), ['update']])],
  ['an upsert needs insert too', req('shop', { update: 'o', updates: [{ q: {}, u: {}, upsert: true }] }), privileges([ns('shop', 'o'), ['update', 'insert']])],
  ['an upsert sent as a document sequence needs insert too', req('shop', { update: 'o' }, { updates: [{ q: {}, u: {}, upsert: true }] }), privileges([ns('shop', 'o'), ['update', 'insert']])],
  ['delete needs remove', req('shop', { delete: 'o' }), privileges([ns('shop', 'o'), ['remove']])],
  ['findAndModify remove needs find and remove', req('shop', { findAndModify: 'o', remove: true }), privileges([ns('shop', 'o'), ['find', 'remove']])],
  ['findAndModify upsert needs find, update and insert', req('shop', { findAndModify: 'o', update: {}, upsert: true }), privileges([ns('shop', 'o'), ['find', 'update', 'insert']])],
  ['listDatabases is filtered, not refused', req('admin', { listDatabases: 1 }), { kind: 'authenticated' }],
  ['listDatabases with authorizedDatabases false is refused by the handler', req('admin', { listDatabases: 1, authorizedDatabases: false }), { kind: 'authenticated' }],
  ['listCollections needs listCollections on the database', req('shop', { listCollections: 1 }), privileges([RESOURCES.database('shop'), ['listCollections']])],
  ['listCollections of authorized names needs some privilege in the database', req('shop', { listCollections: 1, nameOnly: true, authorizedCollections: true }),
    { kind: 'anyOf', options: [privileges([RESOURCES.database('shop'), ['listCollections']]), { kind: 'anyActionOnDatabase', db: 'shop' }] }],
  ['serverStatus needs the cluster action', req('admin', { serverStatus: 1 }), privileges([RESOURCES.cluster(), ['serverStatus']])],
  ['replSetGetStatus needs the cluster action', req('admin', { replSetGetStatus: 1 }), privileges([RESOURCES.cluster(), ['replSetGetStatus']])],
  ['setUserWriteBlockMode needs the cluster action', req('admin', { setUserWriteBlockMode: 1, global: true }), privileges([RESOURCES.cluster(), ['setUserWriteBlockMode']])],
  ['dropDatabase needs dropDatabase on the database', req('shop', { dropDatabase: 1 }), privileges([RESOURCES.database('shop'), ['dropDatabase']])],
  ['explain needs what its command needs', req('shop', { explain: { find: 'o' } }), privileges([ns('shop', 'o'), ['find']])],
  ['getMore checks the cursor owner', req('shop', { getMore: Long.fromNumber(5), collection: 'o' }), { kind: 'cursorOwner', ids: [Long.fromNumber(5)] }],
  ['createUser needs createUser and grantRole on each role\'s database', req('shop', { createUser: 'u', pwd: 'p', roles: ['read', { role: 'read', db: 'x' }] }),
    privileges([RESOURCES.database('shop'), ['createUser']], [RESOURCES.database('shop'), ['grantRole']], [RESOURCES.database('x'), ['grantRole']])],
  ['usersInfo for all databases needs viewUser on the cluster', req('admin', { usersInfo: { forAllDBs: true } }), privileges([RESOURCES.cluster(), ['viewUser']])],
  ['usersInfo of one user may be the user itself', req('admin', { usersInfo: 'me' }),
    { kind: 'anyOf', options: [privileges([RESOURCES.database('admin'), ['viewUser']]), { kind: 'isUser', users: [{ user: 'me', db: 'admin' }] }] }],
  ['a command without a rule is for root only', req('admin', { someFutureCommand: 1 }), { kind: 'root' }],
];

describe('commandRequirement', () => {
  it.each(CASES)('%s', (_name, request, expected) => {
    expect(commandRequirement(request)).toEqual(expected);
  });

  it('asks for renameCollectionSameDB within a database, or the cross-database actions', () => {
    expect(commandRequirement(req('admin', { renameCollection: 'shop.a', to: 'shop.b' }))).toEqual({
      kind: 'anyOf',
      options: [
        privileges([RESOURCES.database('shop'), ['renameCollectionSameDB']]),
        privileges([ns('shop', 'a'), ['find', 'dropCollection']], [ns('shop', 'b'), ['insert', 'createIndex']]),
      ],
    });
  });
});

describe('pipelineChecks', () => {
  it.each([
    ['a plain pipeline reads its collection', 'o', [{ $match: {} }], [[ns('shop', 'o'), ['find']]]],
    ['a collection change stream', 'o', [{ $changeStream: {} }], [[ns('shop', 'o'), ['changeStream', 'find']]]],
    ['a database change stream', undefined, [{ $changeStream: {} }], [[RESOURCES.database('shop'), ['changeStream', 'find']]]],
    ['a cluster change stream', undefined, [{ $changeStream: { allChangesForCluster: true } }], [[RESOURCES.anyNormal(), ['changeStream', 'find']]]],
    ['$out writes its target', 'o', [{ $out: 'copy' }], [[ns('shop', 'o'), ['find']], [ns('shop', 'copy'), ['insert', 'remove']]]],
    ['$out to another database', 'o', [{ $out: { db: 'x', coll: 'y' } }], [[ns('shop', 'o'), ['find']], [ns('x', 'y'), ['insert', 'remove']]]],
    ['$merge with whenMatched fail only inserts', 'o', [{ $merge: { into: 'm', whenMatched: 'fail' } }], [[ns('shop', 'o'), ['find']], [ns('shop', 'm'), ['insert']]]],
    ['$merge updates by default', 'o', [{ $merge: 'm' }], [[ns('shop', 'o'), ['find']], [ns('shop', 'm'), ['insert', 'update']]]],
    ['$lookup reads its foreign collection and sub-pipeline', 'o', [{ $lookup: { from: 'f', pipeline: [{ $unionWith: 'u' }], as: 'x' } }],
      [[ns('shop', 'o'), ['find']], [ns('shop', 'f'), ['find']], [ns('shop', 'u'), ['find']]]],
    ['$facet checks its sub-pipelines', 'o', [{ $facet: { a: [{ $lookup: { from: 'f', localField: 'a', foreignField: 'b', as: 'x' } }] } }],
      [[ns('shop', 'o'), ['find']], [ns('shop', 'f'), ['find']]]],
    ['$collStats needs collStats, not find', 'o', [{ $collStats: {} }], [[ns('shop', 'o'), ['collStats']]]],
    ['$documents reads nothing', undefined, [{ $documents: [] }], []],
  ] as [string, string | undefined, Document[], [unknown, string[]][]][])('%s', (_name, coll, pipeline, expected) => {
    expect(pipelineChecks('shop', coll, pipeline)).toEqual(expected.map(([resource, actions]) => ({ resource, actions })));
  });
});
