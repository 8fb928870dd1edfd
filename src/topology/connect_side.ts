/**
 * Connecting to one side of a migration, with failures turned into a PreflightError that names the side and says
 * what to check: used by every command that talks to the clusters (start, verify, ...).
 */
import type { MongoClient } from 'mongodb';
import { ERROR_CODES, PreflightError } from '../errors.js';

/** Which cluster a client talks to. */
export type ClusterSide = 'source' | 'destination';

/** Connects a client and pings it; throws PREFLIGHT-2001 naming the side when it cannot. */
export async function connectSide(client: MongoClient, side: ClusterSide): Promise<void> {
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
  } catch (error) {
    const authenticationFailed = (error as { code?: unknown }).code === 18;
    throw new PreflightError(ERROR_CODES.PREFLIGHT_CONNECTION_FAILED, `Cannot connect to the ${side}: ${(error as Error).message}.`, {
      cause: error,
      hint: authenticationFailed
        ? `Check the user name, password and authSource in ${side}.uri.`
        : `Check that ${side}.uri names reachable hosts and that the network, TLS options and credentials are right.`,
      details: { side },
    });
  }
}
