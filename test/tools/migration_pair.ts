import { MongoClient } from 'mongodb';
import { destinationDeployment, sourceDeployment, type TestDeployment } from './deployments.js';
import type { ServerOptions } from '../harness/server_options.js';

/** A source and a destination with a connected client on each: the setting of every migration test. */
export interface MigrationPair {
  readonly source: TestDeployment;
  readonly destination: TestDeployment;
  readonly sourceClient: MongoClient;
  readonly destinationClient: MongoClient;
  /** Closes the clients and stops embedded servers. */
  stop(): Promise<void>;
}

/** Starts (or, with SOURCE_URI/DESTINATION_URI, connects to) both sides. */
export async function startMigrationPair(options: { source?: ServerOptions; destination?: ServerOptions } = {}): Promise<MigrationPair> {
  const source = await sourceDeployment(options.source);
  const destination = await destinationDeployment(options.destination);
  const sourceClient = await MongoClient.connect(source.uri);
  const destinationClient = await MongoClient.connect(destination.uri);
  return {
    source,
    destination,
    sourceClient,
    destinationClient,
    stop: async () => {
      await sourceClient.close();
      await destinationClient.close();
      await source.stop();
      await destination.stop();
    },
  };
}

/** Every document of a collection as exact bytes (hex), in `_id` order or in natural order. */
export async function rawDocuments(client: MongoClient, db: string, coll: string, order: '_id' | 'natural' = '_id'): Promise<string[]> {
  const docs = await client.db(db).collection(coll).find({}, { raw: true, sort: order === 'natural' ? { $natural: 1 } : { _id: 1 } }).toArray();
  return docs.map((d) => Buffer.from(d as unknown as Uint8Array).toString('hex'));
}
