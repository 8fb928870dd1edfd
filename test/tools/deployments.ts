import { MongoClient } from 'mongodb';
import { startServer, type RunningServer } from '../harness/server.js';
import type { ServerOptions } from '../harness/server_options.js';

/**
 * A MongoDB deployment for a test: the embedded server, or a real deployment when SOURCE_URI / DESTINATION_URI
 * are set (so that every integration test can also run against mongod).
 */
export interface TestDeployment {
  uri: string;
  /** The embedded server; undefined when the test runs against a real deployment. */
  embedded: RunningServer | undefined;
  stop(): Promise<void>;
}

/** True when the tests run against real deployments given by SOURCE_URI and DESTINATION_URI. */
export const usingRealDeployments = Boolean(process.env.SOURCE_URI && process.env.DESTINATION_URI);

async function deployment(envUri: string | undefined, options: ServerOptions): Promise<TestDeployment> {
  if (envUri && usingRealDeployments) return { uri: envUri, embedded: undefined, stop: async () => {} };
  const embedded = await startServer(options);
  return { uri: embedded.uri, embedded, stop: () => embedded.stop() };
}

/** The source side: SOURCE_URI or a new embedded server with `options`. */
export function sourceDeployment(options: ServerOptions = {}): Promise<TestDeployment> {
  return deployment(process.env.SOURCE_URI, options);
}

/** The destination side: DESTINATION_URI or a new embedded server with `options`. */
export function destinationDeployment(options: ServerOptions = {}): Promise<TestDeployment> {
  return deployment(process.env.DESTINATION_URI, options);
}

/**
 * `it` for tests that need the embedded server itself (its options, outages, white-box state): skipped against
 * real deployments.
 */
export const itEmbedded: jest.It = usingRealDeployments ? it.skip : it;

/** A deployment with a connected client: the set-up of most tests of the server itself. */
export interface ConnectedDeployment {
  deployment: TestDeployment;
  client: MongoClient;
}

/** Starts (or reaches, with SOURCE_URI) a deployment and connects a client to it. */
export async function connectedDeployment(options: ServerOptions = {}): Promise<ConnectedDeployment> {
  const deployment = await sourceDeployment(options);
  const client = await MongoClient.connect(deployment.uri, { serverSelectionTimeoutMS: 5000 });
  return { deployment, client };
}

/** Closes the client, then stops the deployment (tolerates a set-up that failed half-way). */
export async function disconnect(client: MongoClient | undefined, deployment: { stop(): Promise<void> } | undefined): Promise<void> {
  await client?.close();
  await deployment?.stop();
}
