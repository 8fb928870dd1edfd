/**
 * User write blocking (`setUserWriteBlockMode`, mongod 6.0+): while set, the cluster refuses writes from users
 * without the bypassWriteBlockingMode privilege (UserWritesBlocked), so applications cannot write to a side the
 * migration owns, while the migration's own user (which holds the privilege) can.
 */
import type { MongoClient } from 'mongodb';

/**
 * Blocks (`true`) or unblocks user writes on a deployment; idempotent. mongod waits for the change to be
 * majority-committed itself and refuses a writeConcern on this command (InvalidOptions).
 */
export async function setUserWriteBlocking(client: MongoClient, blocked: boolean): Promise<void> {
  await client.db('admin').command({ setUserWriteBlockMode: 1, global: blocked });
}
