/**
 * What a cluster is: topology kind, server version, replica set identity. Read from `hello` and `buildInfo`.
 */
import type { Document, MongoClient, Timestamp } from 'mongodb';

/** The kinds of deployment the tool distinguishes. */
export const TOPOLOGY_KINDS = Object.freeze(['replicaSet', 'sharded', 'standalone'] as const);
export type TopologyKind = (typeof TOPOLOGY_KINDS)[number];

/** A cluster as preflight sees it. */
export interface DeploymentDescription {
  readonly kind: TopologyKind;
  /** `buildInfo.version`, e.g. `7.0.14`. */
  readonly version: string;
  /** Major and minor version numbers. */
  readonly versionArray: readonly number[];
  /** Replica set name; empty for mongos and standalone servers. */
  readonly setName: string;
  /** Members as `hello.hosts` lists them (a mongos lists none). */
  readonly hosts: readonly string[];
  /** The answering member's own name (`hello.me`); empty for mongos and standalone servers. */
  readonly me: string;
  /**
   * `hello.topologyVersion.processId` as hex: unique to one server process (mongod 4.4+), so two clients that see
   * the same one talk to the same server whatever host alias their URIs use. Empty when not reported.
   */
  readonly processId: string;
  /** The cluster time the server reported, when it has one. */
  readonly clusterTime: Timestamp | undefined;
}

/** The pure classification of a `hello` reply (mongos answers `msg: "isdbgrid"`). */
export function topologyKindOf(hello: Document): TopologyKind {
  if (hello.msg === 'isdbgrid') return 'sharded';
  if (typeof hello.setName === 'string' && hello.setName.length > 0) return 'replicaSet';
  return 'standalone';
}

function processIdOf(hello: Document): string {
  const id = (hello.topologyVersion as Document | undefined)?.processId as { toHexString?: () => string } | undefined;
  return typeof id?.toHexString === 'function' ? id.toHexString() : '';
}

/** Reads a cluster's description. */
export async function describeDeployment(client: MongoClient): Promise<DeploymentDescription> {
  const admin = client.db('admin');
  const hello = await admin.command({ hello: 1 });
  const build = await admin.command({ buildInfo: 1 });
  const versionArray = Array.isArray(build.versionArray)
    ? (build.versionArray as unknown[]).map(Number)
    : String(build.version).split('.').map(Number);
  return {
    kind: topologyKindOf(hello),
    version: String(build.version),
    versionArray,
    setName: typeof hello.setName === 'string' ? hello.setName : '',
    hosts: Array.isArray(hello.hosts) ? (hello.hosts as string[]) : [],
    me: typeof hello.me === 'string' ? hello.me : '',
    processId: processIdOf(hello),
    clusterTime: (hello.operationTime ?? hello.$clusterTime?.clusterTime) as Timestamp | undefined,
  };
}

/**
 * The source's current cluster time: the T0 of a migration is taken from it before the first document is read,
 * so that the change stream replays every write the copy may have missed.
 */
export async function currentClusterTime(client: MongoClient): Promise<Timestamp> {
  const reply = await client.db('admin').command({ hello: 1 });
  const time = (reply.operationTime ?? reply.$clusterTime?.clusterTime ?? reply.lastWrite?.opTime?.ts) as Timestamp | undefined;
  if (!time) throw new Error('the source reported no cluster time (is it a replica set member?)');
  return time;
}
